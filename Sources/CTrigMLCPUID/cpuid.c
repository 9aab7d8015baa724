/* cpuid and XCR0 for the choice of kernel path. A CPU flag alone is not
 * enough for AVX: the OS must also save the wider registers on a context
 * switch, which it announces in XCR0 (read with xgetbv once CPUID.1:ECX
 * reports OSXSAVE). Intel SDM vol. 1, 14.3 "Detection of Intel AVX
 * instructions" and 15.2 "Detection of AVX-512 Foundation instructions". */
#include "trigml_cpuid.h"

#if defined(__x86_64__)
#include <cpuid.h>

static unsigned long long xcr0(void) {
    unsigned eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

static int bit(unsigned word, int index) { return (word >> index) & 1u; }

unsigned trigml_cpu_paths(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    /* CPUID.1:ECX: SSE4.2 (20), MOVBE (22), POPCNT (23), OSXSAVE (27), AVX (28), F16C (29), FMA (12) */
    int level1 = bit(ecx, 12) && bit(ecx, 20) && bit(ecx, 22) && bit(ecx, 23) && bit(ecx, 28) && bit(ecx, 29);
    if (!bit(ecx, 27) || !level1) return 0;
    unsigned long long state = xcr0();
    int ymmState = (state & 0x6) == 0x6;      /* XMM and YMM */
    int zmmState = (state & 0xe6) == 0xe6;    /* plus opmask, ZMM_Hi256, Hi16_ZMM */
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    /* CPUID.7.0:EBX: BMI1 (3), AVX2 (5), BMI2 (8); AVX512F (16), DQ (17), CD (28), BW (30), VL (31) */
    int avx2 = bit(ebx, 3) && bit(ebx, 5) && bit(ebx, 8);
    int avx512 = bit(ebx, 16) && bit(ebx, 17) && bit(ebx, 28) && bit(ebx, 30) && bit(ebx, 31);
    unsigned extEax, extEbx, extEcx, extEdx;
    /* CPUID.80000001H:ECX: LZCNT (5) */
    int lzcnt = __get_cpuid(0x80000001u, &extEax, &extEbx, &extEcx, &extEdx) && bit(extEcx, 5);
    unsigned paths = 0;
    if (avx2 && lzcnt && ymmState) paths |= TRIGML_CPU_AVX2;
    if ((paths & TRIGML_CPU_AVX2) && avx512 && zmmState) paths |= TRIGML_CPU_AVX512;
    return paths;
}
#else
unsigned trigml_cpu_paths(void) { return 0; }
#endif

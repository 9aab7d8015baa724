// ParameterSet.cpp: the host's configuration file reader (see Framework.h).
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <set>

#include "Framework.h"

namespace edm {

namespace {

std::string trim(const std::string& s) {
    const char* ws = " \t\r\n";
    size_t b = s.find_first_not_of(ws);
    if (b == std::string::npos) return "";
    size_t e = s.find_last_not_of(ws);
    return s.substr(b, e - b + 1);
}

std::string directoryOf(const std::string& path) {
    size_t slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

bool validKey(const std::string& key) {
    if (key.empty()) return false;
    for (char c : key)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
    return true;
}

} // namespace

ParameterSet ParameterSet::fromFile(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Exception("cannot open configuration file '" + path + "'");
    ParameterSet ps;
    ps.origin_ = path;
    std::string dir = directoryOf(path), line;
    for (int lineNo = 1; std::getline(in, line); ++lineNo) {
        size_t hash = line.find('#');
        if (hash != std::string::npos) line.erase(hash);
        line = trim(line);
        if (line.empty()) continue;
        std::string where = path + ":" + std::to_string(lineNo);
        size_t eq = line.find('=');
        if (eq == std::string::npos) throw Exception(where + ": expected 'key = value', got '" + line + "'");
        std::string key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
        if (!validKey(key)) throw Exception(where + ": '" + key + "' is not a valid key");
        if (ps.entries_.count(key)) throw Exception(where + ": '" + key + "' is set twice (first at " + ps.entries_[key].where + ")");
        ps.entries_[key] = Entry{value, dir, where};
    }
    if (in.bad()) throw Exception("read error in configuration file '" + path + "'");
    return ps;
}

void ParameterSet::setOverride(const std::string& assignment) {
    size_t eq = assignment.find('=');
    std::string key = eq == std::string::npos ? "" : trim(assignment.substr(0, eq));
    if (!validKey(key)) throw Exception("command line: expected key=value, got '" + assignment + "'");
    entries_[key] = Entry{trim(assignment.substr(eq + 1)), ".", "command line"};
}

std::string ParameterSet::getString(const std::string& key) const {
    auto it = entries_.find(key);
    if (it == entries_.end()) throw Exception(origin_ + ": required parameter '" + key + "' is missing");
    return it->second.value;
}

std::string ParameterSet::getString(const std::string& key, const std::string& fallback) const {
    auto it = entries_.find(key);
    return it == entries_.end() ? fallback : it->second.value;
}

long long ParameterSet::getInt(const std::string& key, long long fallback, long long min, long long max) const {
    auto it = entries_.find(key);
    if (it == entries_.end()) return fallback;
    const std::string& text = it->second.value;
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != 0 || errno == ERANGE)
        throw Exception(it->second.where + ": " + key + " = '" + text + "' is not an integer");
    if (v < min || v > max)
        throw Exception(it->second.where + ": " + key + " = " + text + " is outside [" + std::to_string(min) + ", " +
                        std::to_string(max) + "]");
    return v;
}

std::string ParameterSet::getPath(const std::string& key) const {
    auto it = entries_.find(key);
    if (it == entries_.end()) throw Exception(origin_ + ": required parameter '" + key + "' is missing");
    const std::string& v = it->second.value;
    if (v.empty() || v[0] == '/' || it->second.baseDir == ".") return v;
    return it->second.baseDir + "/" + v;
}

void ParameterSet::checkKnownKeys(const std::vector<std::string>& known) const {
    std::set<std::string> ok(known.begin(), known.end());
    for (const auto& kv : entries_)
        if (!ok.count(kv.first)) {
            std::string list;
            for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
            throw Exception(kv.second.where + ": unknown parameter '" + kv.first + "' (known: " + list + ")");
        }
}

} // namespace edm

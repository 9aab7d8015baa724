"""The command line and run set-up shared by the toy-detector pipelines
(make_t5_models.py for the version-1 models, make_t5_v2_models.py for the
version-2 ones): the same options mean the same thing in both."""
import argparse
import pathlib
import time


def toy_arguments(doc, seed, jobs, work, install_help):
    """An argument parser with the options every pipeline takes; the caller
    adds its own before parsing."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--seed", type=int, default=seed)
    parser.add_argument("--jobs", type=int, default=jobs,
                        help="processes for event generation (result does not depend on it)")
    parser.add_argument("--work", default=str(work))
    parser.add_argument("--quick", action="store_true", help="tiny sizes (seconds), for tests")
    parser.add_argument("--no-install", action="store_true", help=install_help)
    parser.add_argument("--no-plots", action="store_true")
    return parser


def start_run(args, quick, full):
    """(configuration, work directory, log function stamped with the time
    since the start)."""
    work = pathlib.Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    start = time.time()

    def log(msg):
        print(f"[{time.time() - start:6.1f} s] {msg}", flush=True)
    return (quick if args.quick else full), work, log

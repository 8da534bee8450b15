"""Run every benchmark in this folder (``make bench``)."""

import fit_throughput

if __name__ == "__main__":
    fit_throughput.main([])

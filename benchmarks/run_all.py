"""Run every benchmark in this folder (``make bench``)."""

import fit_throughput
import tag_throughput

if __name__ == "__main__":
    fit_throughput.main([])
    tag_throughput.main([])

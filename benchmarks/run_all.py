"""Run every benchmark in this folder (``make bench``); results go to ``results/``."""

import fit_throughput
import pretrain_throughput
import tag_throughput

if __name__ == "__main__":
    fit_throughput.main([])
    tag_throughput.main([])
    pretrain_throughput.main([])

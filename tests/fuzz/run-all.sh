#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 600), two at a time. New
# inputs go to work/<target> (not committed); seeds stay in corpus/<target>.
# Crashes land in artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
run() {
    mkdir -p "work/$1"
    RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir . -O "$1" "work/$1" "corpus/$1" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 > "work/$1.log" 2>&1
    echo "$1: $(grep -E 'stat::number_of_executed_units|Done' "work/$1.log" | tr '\n' ' ')"
}
run fits_header & run config & wait
run fits_card & run s3_uri & wait
run tile_rice & run tile_gzip & wait
run tile_hcompress & run tile_plio & wait
run tile_decode & run fits_data & wait
run asdf_head & run parquet_footer & wait

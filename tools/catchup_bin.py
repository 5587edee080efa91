"""Where the tools find the catchup binary: $CATCHUP_BIN if set, else
$CARGO_TARGET_DIR/release/catchup, else target/release/catchup of this repository."""
import os

BIN = os.environ.get("CATCHUP_BIN") or os.path.join(
    os.environ.get("CARGO_TARGET_DIR")
    or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target"),
    "release", "catchup")

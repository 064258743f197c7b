"""Style 2: the marker is printed when an epoch starts."""
import sys
import time

import _timing

epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
time.sleep(0.4)  # set-up: imports, data loading
for epoch in range(1, epochs + 1):
    print(f"Starting epoch {epoch} of {epochs}")
    for step in range(5):
        _timing.work(0.07)
    print(f"  loss {1.0 / epoch:.4f}")

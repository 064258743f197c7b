"""Style 4: real tqdm (Debian python3-tqdm), one bar per epoch with leave=True, on stderr: the
final 100% line can be drawn twice (at the last step and again by close())."""
import sys
import time

from tqdm import tqdm

import _timing

epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
time.sleep(0.2)
for epoch in range(1, epochs + 1):
    for step in tqdm(range(10), desc=f"epoch {epoch}/{epochs}", mininterval=0.01):
        _timing.work(0.04)

"""Style 5: Keras `fit` (verbose=1) as printed into a pipe: `Epoch k/N` at the epoch start, then a
progress bar redrawn with backspaces and \\r, the final draw (with val_*) ending in \\n, ANSI
colour codes included (Keras 3)."""
import sys
import time

import _timing

epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
steps = 8
time.sleep(0.3)  # building the model
out = sys.stdout
for epoch in range(1, epochs + 1):
    out.write(f"Epoch {epoch}/{epochs}\n")
    out.flush()
    previous = 0
    for step in range(1, steps + 1):
        _timing.work(0.04)
        bar = "\x1b[32m" + "━" * (20 * step // steps) + "\x1b[0m" + "━" * (20 - 20 * step // steps)
        line = f"{step}/{steps} {bar} 1s 25ms/step - loss: {1.0 / epoch:.4f}"
        out.write("\b" * previous + "\r" + line)
        out.flush()
        previous = len(line)
    final = f"{steps}/{steps} \x1b[32m{'━' * 20}\x1b[0m 1s 25ms/step - loss: {1.0 / epoch:.4f} - val_loss: 0.5000"
    out.write("\b" * previous + "\r" + final + "\n")
    out.flush()
    _timing.work(0.05)  # callbacks after the epoch's last draw
print("evaluating")
_timing.work(0.1)

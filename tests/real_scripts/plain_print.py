"""Style 1: a plain print at the end of each epoch (pytorch/examples mnist, fastai tables)."""
import sys
import time

import _timing

epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
time.sleep(0.3)  # set-up: imports, data loading
for epoch in range(1, epochs + 1):
    for step in range(5):
        _timing.work(0.07)
    print(f"Epoch {epoch}: train loss {1.0 / epoch:.4f}")
time.sleep(0.2)  # wrap-up: saving the model
print("saved model.pt")

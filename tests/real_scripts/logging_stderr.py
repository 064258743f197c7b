"""Style 3: Python `logging` to stderr (basicConfig: LEVEL:name:message, flushed per record)."""
import logging
import sys
import time

import _timing

logging.basicConfig(level=logging.INFO)
log = logging.getLogger("train")
epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
time.sleep(0.2)
log.info("training for %d epochs", epochs)
for epoch in range(1, epochs + 1):
    for step in range(5):
        _timing.work(0.07)
        log.debug("step %d", step)
    log.info("epoch %d/%d finished, loss %.4f", epoch, epochs, 1.0 / epoch)
log.info("done")

"""Batch analysis: every video under some folders, on a local process pool or on Ray, resumable.

``plan`` finds the videos and keys each job; ``journal`` remembers what is finished; ``work`` is one
video's job inside a worker; ``engines`` run the jobs; ``run`` ties them together; ``summary``
writes batch.csv / batch.json; ``display`` is the Rich progress bar and table.
"""

from midline.batch.plan import BatchSettings
from midline.batch.run import BatchResult, run_batch

__all__ = ["BatchResult", "BatchSettings", "run_batch"]

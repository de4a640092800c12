"""The audit at corpus scale: a corpus whose texts stay on disk, and the streamed pieces of the checks."""

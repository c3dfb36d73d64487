"""Model loading (once per process) and the scheduler that shares the models between calls."""

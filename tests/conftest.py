import os

# Tests never show progress bars and always run the smallest profile.
os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("GAN_COURSE_PROFILE", "smoke")
os.environ.setdefault("MPLBACKEND", "Agg")  # no screen in tests

"""Stage 6 — what users touch: the opened index, answers by place, evaluation, the command line."""

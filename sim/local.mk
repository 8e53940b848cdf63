# sim: filled in by its owner

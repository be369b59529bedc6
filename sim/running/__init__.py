"""Running: the runner, sweeps, Dask workers, output folders, Ctrl-C."""

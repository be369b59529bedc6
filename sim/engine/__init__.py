"""The engine: the model, the phases of the day and their compiled kernels.

Also the world, the member table and the strategies.
"""

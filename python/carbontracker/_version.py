# The package version: the CMake project version (tests/python/test_package.py checks they agree).
__version__ = "0.1.0"

# tests/layers: the include-direction check over the product tree (the
# layer graph is written once, as data, in the script).
TESTS += tests/layers/test_includes.sh
EXTRA_DIST += tests/layers/test_includes.sh

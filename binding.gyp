# The native module of bin/malloc-tuning.js (native/malloc-tuning.c), built by `npm ci` through
# scripts/build-native.mjs into build/Release/malloc_tuning.node.
{
  "targets": [
    {
      "target_name": "malloc_tuning",
      "sources": ["native/malloc-tuning.c"]
    }
  ]
}

// as-pect runs the specs of the SDK's pure AssemblyScript parts (no hostcalls involved), under the
// SDK's own runtime (assembly/heap, named in as-pect.asconfig.json), whose unit tests are among
// them (tests/assembly/heap.spec.ts).
export default {
  entries: ["tests/assembly/**/*.spec.ts"],
  include: ["tests/assembly/**/*.include.ts"],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    return instantiate(binary, createImports({ env: { memory } }));
  },
  outputBinary: false,
};

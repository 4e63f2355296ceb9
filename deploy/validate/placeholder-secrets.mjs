// Writes a placeholder for every secretGenerator file a kustomization under DIR names and that does not exist
// (kustomize refuses to render without them): a copy of <file>.example if there is one, else an empty file.
// Only ever run on a scratch copy of deploy/k8s: real secrets are written by CI from its secret store.
// Usage: node placeholder-secrets.mjs DIR
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse } from "yaml";

const root = resolve(process.argv[2] ?? ".");

const kustomizations = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
  entry.isDirectory() ? kustomizations(join(dir, entry.name))
    : ["kustomization.yaml", "kustomization.yml", "Kustomization"].includes(entry.name) ? [join(dir, entry.name)] : []);

for (const file of kustomizations(root)) {
  const generators = parse(readFileSync(file, "utf8"))?.secretGenerator ?? [];
  // envs: [path]; files: [path | key=path]; the legacy `env: path` too.
  const paths = generators.flatMap((g) => [...(g.envs ?? []), ...(g.env ? [g.env] : []), ...(g.files ?? []).map((f) => f.split("=").pop())]);
  for (const path of paths) {
    const target = join(dirname(file), path);
    if (existsSync(target)) continue;
    if (existsSync(`${target}.example`)) copyFileSync(`${target}.example`, target);
    else writeFileSync(target, "");
    console.log(`placeholder ${target.slice(root.length + 1)}${existsSync(`${target}.example`) ? " (from .example)" : " (empty)"}`);
  }
}

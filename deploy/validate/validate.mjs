// Schema validation of rendered Kubernetes manifests, offline: every built-in kind goes through the
// kubernetes-models class of its apiVersion/kind (missing required fields, wrong types, bad enums; not
// unknown fields, which HighLoad.Tests/Deploy checks with KubernetesClient's strict reader).
// Usage: node validate.mjs [file.yaml ...]   (no files: reads stdin, e.g. `kubectl kustomize DIR | node validate.mjs`)
// Exit code 1 if any document fails, is not Kubernetes at all, or is a kind this script does not know.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

// Custom resources the manifests use; their operators' CRDs validate them in the cluster, not here.
const customResources = new Set([
  "postgresql.cnpg.io/v1 Cluster",
  "postgresql.cnpg.io/v1 Pooler",
  "kafka.strimzi.io/v1beta2 Kafka",
  "kafka.strimzi.io/v1beta2 KafkaNodePool",
  "kafka.strimzi.io/v1beta2 KafkaTopic",
  "keda.sh/v1alpha1 ScaledObject",
]);

const models = join(dirname(fileURLToPath(import.meta.url)), "node_modules", "kubernetes-models");

const readStdin = async () => {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
};

const sources = process.argv.length > 2
  ? process.argv.slice(2).map((file) => ({ name: file, text: readFileSync(file, "utf8") }))
  : [{ name: "stdin", text: await readStdin() }];

const failures = [];
let ok = 0;
let skipped = 0;

const fail = (where, message) => {
  failures.push(`${where}: ${message}`);
  console.log(`FAIL ${where}: ${message}`);
};

// The package's layout is <apiVersion>/<Kind>.js: "apps/v1/Deployment", core "v1/Service".
const modelOf = async (apiVersion, kind) => {
  if (!/^[a-z0-9.-]+(\/[a-z0-9]+)?$/.test(apiVersion) || !/^[A-Za-z0-9]+$/.test(kind)) return undefined;
  if (!existsSync(join(models, apiVersion, `${kind}.js`))) return undefined;
  return (await import(`kubernetes-models/${apiVersion}/${kind}`))[kind];
};

const isBuiltInGroup = (apiVersion) =>
  !apiVersion.includes("/") || !apiVersion.split("/")[0].includes(".") || apiVersion.split("/")[0].endsWith(".k8s.io");

for (const source of sources) {
  const documents = parseAllDocuments(source.text);
  for (const [index, document] of documents.entries()) {
    const at = `${source.name}#${index + 1}`;
    if (document.errors.length > 0) {
      fail(at, `not YAML: ${document.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const manifest = document.toJS();
    if (manifest === null || manifest === undefined) continue;
    const { apiVersion, kind } = manifest;
    const name = manifest.metadata?.name ?? "(no name)";
    const what = `${apiVersion} ${kind} ${name}`;
    if (typeof apiVersion !== "string" || typeof kind !== "string") {
      fail(at, "no apiVersion/kind: not a Kubernetes object");
      continue;
    }
    if (customResources.has(`${apiVersion} ${kind}`)) {
      skipped++;
      console.log(`skipped ${what} (custom resource, validated by its operator's CRD)`);
      continue;
    }
    const Model = await modelOf(apiVersion, kind);
    if (Model === undefined) {
      fail(what, isBuiltInGroup(apiVersion)
        ? "unknown built-in kind (misspelt, or an apiVersion Kubernetes no longer serves)"
        : "unknown custom resource: add it to customResources in validate.mjs if it is meant to be there");
      continue;
    }
    // kustomize folds long base64 values over lines; the API server's decoder skips the newlines, the schema's
    // `byte` format does not.
    if (apiVersion === "v1" && kind === "Secret" && manifest.data) {
      for (const key of Object.keys(manifest.data)) {
        if (typeof manifest.data[key] === "string") manifest.data[key] = manifest.data[key].replace(/\s+/g, "");
      }
    }
    try {
      new Model(manifest).validate();
      ok++;
      console.log(`ok ${what}`);
    } catch (error) {
      fail(what, error.message);
    }
  }
}

console.log(`${ok} valid, ${skipped} skipped (custom resources), ${failures.length} failed`);
if (failures.length > 0) {
  console.log("Failures:");
  for (const failure of failures) console.log(`  ${failure}`);
  process.exit(1);
}

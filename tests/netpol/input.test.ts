/**
 * Input as a cluster or a stranger produces it: typed Lists, hostile YAML, wrong shapes, bad bytes, links, standard
 * input. Each row is the files of one run (written to a fresh directory), the command, and exactly what it must say.
 * Every hostile case must end with exit 2 and a message naming the file, the line and the limit; the suite's timeout
 * bounds how long each may take (speed is measured by `npm run bench`, not asserted here).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { netpolWith } from "./helpers";
import { MAX_INPUT_BYTES } from "../../policies/netpol/limits";

/** A file's content, or a symbolic link to a path relative to the directory. */
type Entry = string | Buffer | { link: string } | { sparseBytes: number };

interface Case {
    name: string;
    files: Record<string, Entry>;
    /** `$D` stands for the directory the files are in. */
    args: string[];
    stdin?: string;
    exitCode: number;
    stdout?: string;
    /** Lines of stderr, `$D` for the directory. */
    stderr?: string[];
}

const POD = (name: string, labels = "{app: web}", ns = "shop") => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${ns}, labels: ${labels}}\nspec: {containers: [{name: c, ports: [{name: http, containerPort: 80}]}]}\n`;
const NP = (name: string, spec: string, ns = "shop") => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: ${ns}}\nspec: ${spec}\n`;

/** 600 bytes whose aliases expand to over a billion nodes. */
function billionLaughs(): string {
    const levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) levels.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(", ")}]`);
    return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n${levels.map((l) => `  ${l}`).join("\n")}\n`;
}

const INVALID = "netpol: invalid input:";

const CASES: Case[] = [
    // 1. Never ignore input silently.
    {
        name: "items of a typed PodList (as the API server returns them) take their kind and version from the list",
        files: { "pods.json": JSON.stringify({ apiVersion: "v1", kind: "PodList", items: [{ metadata: { name: "a", namespace: "shop" }, spec: { containers: [{ name: "c", ports: [{ containerPort: 80 }] }] } }, { metadata: { name: "b", namespace: "shop" } }] }, null, 2) },
        args: ["matrix", "$D", "--format", "json"],
        exitCode: 0,
        stdout: '[\n{"from":"shop/a","to":"shop/a","port":80,"protocol":"TCP","allowed":true},\n{"from":"shop/b","to":"shop/a","port":80,"protocol":"TCP","allowed":true}\n]\n',
        stderr: ["note: namespaces not defined in the manifests, assumed to exist with only the kubernetes.io/metadata.name label: shop"],
    },
    {
        name: "a NamespaceList's labels are what namespaceSelectors match",
        files: {
            "ns.yaml": "apiVersion: v1\nkind: NamespaceList\nitems:\n- metadata: {name: shop, labels: {team: a}}\n- metadata: {name: other}\n",
            "pods.yaml": `${POD("web")}---\n${POD("x", "{app: x}", "other")}---\n${NP("only-team-a", "{podSelector: {}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: a}}}]}]}")}`,
        },
        args: ["matrix", "$D", "--format", "json"],
        exitCode: 0,
        stdout: '[\n' +
            '{"from":"other/x","to":"other/x","port":80,"protocol":"TCP","allowed":true},\n' +
            '{"from":"other/x","to":"shop/web","port":80,"protocol":"TCP","allowed":false},\n' +
            '{"from":"shop/web","to":"other/x","port":80,"protocol":"TCP","allowed":true},\n' +
            '{"from":"shop/web","to":"shop/web","port":80,"protocol":"TCP","allowed":true}\n]\n',
        stderr: [],
    },
    {
        name: "objects netpol does not use are counted by kind, Calico's NetworkPolicy among them",
        files: { "all.yaml": `${POD("web")}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\n---\napiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: x}\nspec: {selector: all()}\n---\nresources: [a.yaml]\n` },
        args: ["matrix", "$D", "--format", "json"],
        exitCode: 0,
        stderr: [
            "note: namespaces not defined in the manifests, assumed to exist with only the kubernetes.io/metadata.name label: shop",
            "note: not used (netpol reads Namespaces, Pods, workloads and networking.k8s.io NetworkPolicies): 2 ConfigMap, 1 NetworkPolicy (projectcalico.org/v3), 1 without kind",
        ],
    },
    {
        name: "List items need their kind, typed list items must be of the list's kind, and items must be objects",
        files: { "list.yaml": "apiVersion: v1\nkind: List\nitems:\n- metadata: {name: a}\n- 42\n---\napiVersion: v1\nkind: PodList\nitems:\n- kind: Service\n  metadata: {name: s}\n---\napiVersion: v1\nkind: PodList\nitems: {}\n" },
        args: ["matrix", "$D"],
        exitCode: 2,
        stderr: [
            INVALID,
            "  $D/list.yaml:4: kind: a List item needs its kind (and apiVersion); only typed lists such as PodList leave them out",
            "  $D/list.yaml:5: items[1]: must be a mapping (a Kubernetes object), got 42",
            '  $D/list.yaml:10: kind: a PodList holds Pod objects, not "Service"',
            "  $D/list.yaml:15: items: must be a list of objects, got {}",
        ],
    },
    // 2. Bounded on any input.
    {
        name: "a billion laughs: excessive aliasing, refused as Kubernetes' YAML decoding refuses it",
        files: { "laughs.yaml": billionLaughs() },
        args: ["matrix", "$D"],
        exitCode: 2,
        stderr: [INVALID, "  $D/laughs.yaml:1: excessive aliasing: aliases expand it to 1,358,024,699 nodes, 99% of them from aliases; the limit, as in Kubernetes' YAML decoding, is 10% at this size (99% up to 400,000 nodes, 10% from 4,000,000)"],
    },
    {
        name: "an alias inside its own anchor",
        files: { "self.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: &s {containers: [*s]}\n" },
        args: ["matrix", "$D"],
        exitCode: 2,
        stderr: [INVALID, "  $D/self.yaml:1: an alias refers to its own anchor, so the document has no end; Kubernetes refuses it too"],
    },
    {
        name: "nesting 10,000 levels deep",
        files: { "deep.json": `${"[".repeat(10000)}${"]".repeat(10000)}` },
        args: ["matrix", "$D"],
        exitCode: 2,
        stderr: [INVALID, "  $D/deep.json:1: nested deeper than the limit of 100 levels"],
    },
    {
        name: "aliases that nest deeper than the limit",
        files: { "chain.yaml": `a0: &a0 [x]\n${Array.from({ length: 120 }, (_, i) => `a${i + 1}: &a${i + 1} [*a${i}]`).join("\n")}\n` },
        args: ["matrix", "$D"],
        exitCode: 2,
        stderr: [INVALID, "  $D/chain.yaml:1: aliases nest it 122 levels deep, deeper than the limit of 100 levels"],
    },
    {
        name: "a file larger than netpol reads (sparse: nothing is written)",
        files: { "huge.yaml": { sparseBytes: MAX_INPUT_BYTES + 1 } },
        args: ["matrix", "$D"],
        exitCode: 2,
        stderr: [INVALID, "  $D/huge.yaml: over the limit of 256 MiB of input (manifests together, or a flows file); give fewer files, or one namespace's manifests at a time"],
    },
    {
        name: "a directory with two links to itself: a loop, named, not walked forever",
        files: { "pod.yaml": POD("web"), "a": { link: "." }, "b": { link: "." } },
        args: ["matrix", "$D"],
        exitCode: 2,
        stderr: [INVALID, "  $D/a: a symbolic link back to $D, which contains it: a loop; remove the link or give the files it should add", "  $D/b: a symbolic link back to $D, which contains it: a loop; remove the link or give the files it should add"],
    },
    {
        name: "a directory reached through two links is read once (no duplicates)",
        files: { "real/pod.yaml": POD("web"), "one": { link: "real" }, "two": { link: "real" } },
        args: ["matrix", "$D", "--format", "json"],
        exitCode: 0,
        stdout: '[\n{"from":"shop/web","to":"shop/web","port":80,"protocol":"TCP","allowed":true}\n]\n',
    },
    {
        name: "a device is not read (/dev/zero never ends)",
        files: {},
        args: ["matrix", "/dev/zero"],
        exitCode: 2,
        stderr: [INVALID, "  /dev/zero: not a regular file; give files or directories (or - for standard input)"],
    },
    {
        // A document this large is not parsed again for the field's line: the message gives the document's.
        name: "a 10 MB value is echoed as 80 characters and its size",
        files: { "big.yaml": POD("web", `{app: ${"x".repeat(10_000_000)}}`) },
        args: ["matrix", "$D"],
        exitCode: 2,
        stderr: [INVALID, `  $D/big.yaml:1: metadata.labels: "${"x".repeat(80)}"… (10000000 characters) is not a valid label value: empty, or up to 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit`],
    },
    {
        name: "a 10 MB endpoint in a flows file: echoed cut, and no edit distance over 10 MB",
        files: { "pod.yaml": POD("web"), "flows.yaml": `- {from: ${"x".repeat(10_000_000)}, to: shop/web, port: 80, allowed: true}\n` },
        args: ["check", "$D/pod.yaml", "--expect", "$D/flows.yaml"],
        exitCode: 2,
        stderr: [INVALID, `  $D/flows.yaml:1: [0].from: unknown endpoint "${"x".repeat(80)}"… (10000000 characters); endpoints are namespace/name of a Pod or workload, or ip:<address>`],
    },
    {
        name: "a 10 MB kind is counted under its first 80 characters",
        files: { "k.yaml": `${POD("web")}---\nkind: ${"K".repeat(10_000_000)}\n` },
        args: ["matrix", "$D", "--format", "json"],
        exitCode: 0,
        stderr: [
            "note: namespaces not defined in the manifests, assumed to exist with only the kubernetes.io/metadata.name label: shop",
            `note: not used (netpol reads Namespaces, Pods, workloads and networking.k8s.io NetworkPolicies): 1 "${"K".repeat(80)}"… (10000000 characters)`,
        ],
    },
    // 3. No wrong answer with exit 0, no crash.
    {
        name: "wrong types inside a peer's selectors are reported, not a stack trace",
        files: { "np.yaml": `${POD("web")}---\n${NP("p", "{podSelector: {}, ingress: [{from: [{podSelector: {matchExpressions: [{key: app, operator: In, values: web}, {key: 5, operator: Exists}, oops]}, namespaceSelector: {matchLabels: [a]}}]}]}")}` },
        args: ["matrix", "$D"],
        exitCode: 2,
        stderr: [
            INVALID,
            '  $D/np.yaml:9: spec.ingress[0].from[0].podSelector.matchExpressions[2]: must be a mapping, got "oops"',
            '  $D/np.yaml:9: spec.ingress[0].from[0].podSelector.matchExpressions[0].values: must be a list, got "web"',
            "  $D/np.yaml:9: spec.ingress[0].from[0].podSelector.matchExpressions[0]: operator In needs at least one value",
            "  $D/np.yaml:9: spec.ingress[0].from[0].podSelector.matchExpressions[1].key: key must be a label key, got 5",
            '  $D/np.yaml:9: spec.ingress[0].from[0].namespaceSelector.matchLabels: must be a mapping, got ["a"]',
        ],
    },
    {
        name: "two NetworkPolicies of one namespace and name: both places named",
        files: { "a.yaml": `${POD("web")}---\n${NP("p", "{podSelector: {}}")}`, "b.yaml": NP("p", "{podSelector: {}, ingress: [{}]}") },
        args: ["matrix", "$D"],
        exitCode: 2,
        stderr: [INVALID, "  $D/b.yaml:1: NetworkPolicy shop/p is defined twice (first at $D/a.yaml:6)"],
    },
    {
        name: "metadata.name and namespace must be strings, and valid names",
        files: { "bad.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: [shop]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: 7}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: Web_1}\n---\napiVersion: v1\nkind: Pod\n" },
        args: ["matrix", "$D"],
        exitCode: 2,
        stderr: [
            INVALID,
            '  $D/bad.yaml:3: metadata.namespace: must be a string, got ["shop"]',
            "  $D/bad.yaml:7: metadata.name: must be a non-empty string, got 7",
            '  $D/bad.yaml:11: metadata.name: "Web_1" is not a valid name: up to 253 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit',
            "  $D/bad.yaml:13: metadata.name: Pod has no name",
        ],
    },
    {
        name: "bytes that are not UTF-8, at their line",
        files: { "latin1.yaml": Buffer.from(POD("web", "{app: cafX}")).map((b) => (b === 0x58 ? 0xe9 : b)) as Buffer },
        args: ["matrix", "$D"],
        exitCode: 2,
        stderr: [INVALID, "  $D/latin1.yaml:3: not UTF-8: byte 0xe9 at offset 81; Kubernetes reads manifests as UTF-8: re-save it as UTF-8"],
    },
    {
        name: "UTF-16 is named as such",
        files: { "utf16.yaml": Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(POD("web"), "utf16le")]) },
        args: ["matrix", "$D"],
        exitCode: 2,
        stderr: [INVALID, "  $D/utf16.yaml:1: not UTF-8: byte 0xff at offset 0; it is UTF-16: convert it to UTF-8"],
    },
    {
        name: "label keys and values with Kubernetes' syntax, in labels and in selectors",
        files: { "l.yaml": `${POD("web", '{"-app": web, "example.com/tier": "x y"}')}---\n${NP("p", '{podSelector: {matchLabels: {"a/b/c": d}, matchExpressions: [{key: k, operator: In, values: ["v!"]}]}}')}` },
        args: ["matrix", "$D"],
        exitCode: 2,
        stderr: [
            INVALID,
            '  $D/l.yaml:3: metadata.labels: "-app" is not a valid label key: a name of up to 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit, optionally after a DNS subdomain prefix and "/" (example.com/tier)',
            '  $D/l.yaml:3: metadata.labels: "x y" is not a valid label value: empty, or up to 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
            '  $D/l.yaml:9: spec.podSelector.matchLabels: "a/b/c" is not a valid label key: a name of up to 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit, optionally after a DNS subdomain prefix and "/" (example.com/tier)',
            '  $D/l.yaml:9: spec.podSelector.matchExpressions[0].values: "v!" is not a valid label value: empty, or up to 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
        ],
    },
    {
        name: "no pods or workloads at all: an error, not an empty matrix",
        files: { "np.yaml": NP("p", "{podSelector: {}}") },
        args: ["matrix", "$D"],
        exitCode: 2,
        stderr: [INVALID, "  $D: no Pods or workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob), only 1 NetworkPolicy; netpol needs at least one pod to answer for"],
    },
    {
        name: "an empty file",
        files: { "empty.yaml": "# nothing yet\n" },
        args: ["matrix", "$D/empty.yaml"],
        exitCode: 2,
        stderr: [INVALID, "  $D/empty.yaml: no manifests: the file holds no YAML or JSON documents"],
    },
    {
        name: "a directory with no manifests",
        files: { "README.md": "not a manifest" },
        args: ["matrix", "$D"],
        exitCode: 2,
        stderr: [INVALID, "  $D: no manifests: no .yaml, .yml or .json files"],
    },
    {
        name: "an invalid policyTypes does not hide the rest of the policy's problems",
        files: { "np.yaml": `${POD("web")}---\n${NP("p", "{podSelector: {}, policyTypes: Ingress, ingress: [{ports: [{port: 0}]}], egress: [{to: [{ipBlock: {cidr: nope}}]}]}")}` },
        args: ["matrix", "$D"],
        exitCode: 2,
        stderr: [
            INVALID,
            '  $D/np.yaml:9: spec.policyTypes: must be a list, got "Ingress"',
            "  $D/np.yaml:9: spec.ingress[0].ports[0].port: port must be from 1 to 65535, got 0",
            '  $D/np.yaml:9: spec.egress[0].to[0].ipBlock.cidr: "nope" is not a CIDR; use the form "10.0.0.0/16" or "2001:db8::/32"',
        ],
    },
    {
        name: "a named port no pod declares gets a note",
        files: { "np.yaml": `${POD("web")}---\n${NP("p", "{podSelector: {}, ingress: [{ports: [{port: htp}]}]}")}` },
        args: ["matrix", "$D", "--format", "json"],
        exitCode: 0,
        stderr: [
            "note: namespaces not defined in the manifests, assumed to exist with only the kubernetes.io/metadata.name label: shop",
            '$D/np.yaml:9: spec.ingress[0].ports[0].port: no pod declares a TCP port named "htp", so in shop/p it matches nothing'.replace(/^/, "note: "),
        ],
    },
    {
        name: "flows-file errors name the item's own index, after a malformed item",
        files: { "pod.yaml": POD("web"), "flows.yaml": '- just a string\n- {from: shop/web, to: shop/web, port: 80, allowed: true}\n- {from: shop/wbe, to: shop/web, port: 80, allowed: true}\n' },
        args: ["check", "$D/pod.yaml", "--expect", "$D/flows.yaml"],
        exitCode: 2,
        stderr: [INVALID, '  $D/flows.yaml:1: [0]: must be a mapping of from, to, port, protocol?, allowed, got "just a string"', '  $D/flows.yaml:3: [2].from: unknown endpoint "shop/wbe"; did you mean shop/web?'],
    },
    {
        name: "aliases and merge keys work in flows files",
        files: { "pod.yaml": `${POD("web")}---\n${POD("db", "{app: db}")}`, "flows.yaml": "- &base {from: shop/web, to: shop/db, port: 80, allowed: true}\n- *base\n- {<<: *base, to: shop/web}\n" },
        args: ["check", "$D/pod.yaml", "--expect", "$D/flows.yaml"],
        exitCode: 0,
        stdout: [
            "note: namespaces not defined in the manifests, assumed to exist with only the kubernetes.io/metadata.name label: shop",
            "PASS  shop/web -> shop/db on TCP 80: allowed",
            "PASS  shop/web -> shop/db on TCP 80: allowed",
            "PASS  shop/web -> shop/web on TCP 80: allowed",
            "3 passed, 0 failed",
            "",
        ].join("\n"),
    },
    {
        name: "a billion laughs in a flows file",
        files: { "pod.yaml": POD("web"), "flows.yaml": billionLaughs().replace(/^apiVersion[\s\S]*?spec:\n/, "x:\n") },
        args: ["check", "$D/pod.yaml", "--expect", "$D/flows.yaml"],
        exitCode: 2,
        stderr: [INVALID, "  $D/flows.yaml:1: excessive aliasing: aliases expand it to 1,358,024,691 nodes, 99% of them from aliases; the limit, as in Kubernetes' YAML decoding, is 10% at this size (99% up to 400,000 nodes, 10% from 4,000,000)"],
    },
    // 4. Standard input.
    {
        name: "- reads manifests from standard input",
        files: {},
        args: ["matrix", "-", "--format", "json"],
        stdin: POD("web"),
        exitCode: 0,
        stdout: '[\n{"from":"shop/web","to":"shop/web","port":80,"protocol":"TCP","allowed":true}\n]\n',
    },
    {
        name: "--expect - reads the flows file from standard input",
        files: { "pod.yaml": POD("web") },
        args: ["check", "$D/pod.yaml", "--expect", "-"],
        stdin: "- {from: shop/web, to: shop/web, port: http, allowed: true}\n",
        exitCode: 0,
        stdout: [
            "note: namespaces not defined in the manifests, assumed to exist with only the kubernetes.io/metadata.name label: shop",
            "PASS  shop/web -> shop/web on TCP 80: allowed",
            "1 passed, 0 failed",
            "",
        ].join("\n"),
    },
    {
        name: "problems in standard input are named <stdin>",
        files: {},
        args: ["matrix", "-"],
        stdin: "kind: Pod\nmetadata: {name: p, namespace: [x]}\n",
        exitCode: 2,
        stderr: [INVALID, '  <stdin>:2: metadata.namespace: must be a string, got ["x"]'],
    },
    {
        name: "standard input cannot be both the manifests and the flows",
        files: {},
        args: ["check", "-", "--expect", "-"],
        stdin: "",
        exitCode: 2,
        stderr: [INVALID, "  standard input can be read once: give the manifests or the flows file (--expect) as -, not both"],
    },
];

function writeFiles(dir: string, files: Record<string, Entry>): void {
    for (const [name, entry] of Object.entries(files)) {
        const file = path.join(dir, name);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        if (typeof entry === "object" && "link" in entry) fs.symlinkSync(entry.link, file);
        else if (typeof entry === "object" && "sparseBytes" in entry) fs.truncateSync((fs.writeFileSync(file, ""), file), entry.sparseBytes);
        else fs.writeFileSync(file, entry);
    }
}

describe("netpol input: every case a cluster or a stranger can produce, answered or refused exactly", () => {
    let root: string;
    before(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), "netpol-input-"))));
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    CASES.forEach((c, i) => {
        it(c.name, () => {
            const dir = path.join(root, String(i));
            fs.mkdirSync(dir);
            writeFiles(dir, c.files);
            const stdin = c.stdin === undefined ? undefined : () => Buffer.from(c.stdin!);
            const result = netpolWith({ stdin }, ...c.args.map((a) => a.replace("$D", dir)));
            const expand = (s: string) => s.split("$D").join(dir);
            assert.deepStrictEqual(
                { exitCode: result.exitCode, stderr: (result.stderr ?? "").split("\n").filter(Boolean) },
                { exitCode: c.exitCode, stderr: c.stderr === undefined ? (result.stderr ?? "").split("\n").filter(Boolean) : c.stderr.map(expand) },
            );
            if (c.stdout !== undefined) assert.strictEqual(result.stdout, c.stdout);
            if (c.exitCode === 2) assert.strictEqual(result.stdout, "", "nothing on stdout when the input is refused");
        });
    });
});

/**
 * NetworkPolicy semantics, one table row per rule of networking.k8s.io/v1, each with flows that must be allowed and
 * flows that must be denied. Cases follow the Kubernetes documentation and the upstream e2e suite's topology: pods
 * a, b, c in namespaces x, y, z, every pod serving TCP 80 and 81, every namespace labelled ns=<name>.
 */
import { deployment, expectFlows, ExpectedFlow, namespace, pod, policy } from "./helpers";
import { KubeObject } from "../../policies/netpol/types";

const NAMESPACES = ["x", "y", "z"];
const PODS = ["a", "b", "c"];

/** The e2e topology: 9 pods, labelled pod=<name>, each serving TCP 80 (named http) and 81, and UDP 53 (named dns). */
function topology(): KubeObject[] {
    return [
        ...NAMESPACES.map((ns) => namespace(ns, { ns })),
        ...NAMESPACES.flatMap((ns) => PODS.map((p) => pod(`${ns}/${p}`, { pod: p }, ["http:80", "81", "dns:53/UDP", "sctp:82/SCTP"]))),
    ];
}

interface Case {
    name: string;
    /** Objects added to the topology. */
    objects: KubeObject[];
    flows: ExpectedFlow[];
}

const CASES: Case[] = [
    {
        name: "no policy: every pod reaches every pod",
        objects: [],
        flows: [["x/a", "y/b", 80, true], ["z/c", "x/a", 81, true], ["x/b", "x/c", 53, true, "UDP"]],
    },
    {
        name: "a pod selected for ingress is isolated: only its own rules admit traffic (deny-all ingress)",
        objects: [policy("x/deny", { podSelector: { matchLabels: { pod: "a" } } })],
        flows: [["x/b", "x/a", 80, false], ["y/a", "x/a", 80, false], ["x/a", "x/b", 80, true], ["y/a", "x/b", 80, true]],
    },
    {
        name: "ingress isolation does not restrict the selected pod's egress",
        objects: [policy("x/deny", { podSelector: {}, policyTypes: ["Ingress"] })],
        flows: [["x/a", "y/a", 80, true], ["x/a", "x/b", 80, false], ["y/a", "x/a", 80, false]],
    },
    {
        name: "egress isolation: an Egress policy with no rules denies all egress, and leaves ingress alone",
        objects: [policy("x/deny-egress", { podSelector: { matchLabels: { pod: "a" } }, policyTypes: ["Egress"] })],
        flows: [["x/a", "y/b", 80, false], ["x/a", "x/b", 80, false], ["y/b", "x/a", 80, true], ["x/b", "x/a", 80, true]],
    },
    {
        name: "both ends must agree: egress allowed but ingress denied is denied",
        objects: [
            policy("x/a-egress", { podSelector: { matchLabels: { pod: "a" } }, policyTypes: ["Egress"], egress: [{}] }),
            policy("y/b-ingress", { podSelector: { matchLabels: { pod: "b" } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: "z" } } }] }] }),
        ],
        flows: [["x/a", "y/b", 80, false], ["z/a", "y/b", 80, true], ["x/a", "y/c", 80, true]],
    },
    {
        name: "both ends must agree: ingress allowed but egress denied is denied",
        objects: [
            policy("x/a-egress", { podSelector: { matchLabels: { pod: "a" } }, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: { matchLabels: { pod: "c" } } }] }] }),
        ],
        flows: [["x/a", "x/c", 80, true], ["x/a", "x/b", 80, false], ["x/a", "y/c", 80, false], ["x/b", "x/a", 80, true]],
    },
    {
        name: "policies are additive: each selecting policy can only add allowed traffic",
        objects: [
            policy("x/allow-b", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: "b" } } }] }] }),
            policy("x/allow-c", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: "c" } } }] }] }),
            policy("x/deny-all", { podSelector: {} }),
        ],
        flows: [["x/b", "x/a", 80, true], ["x/c", "x/a", 80, true], ["y/b", "x/a", 80, false], ["x/a", "x/b", 80, false]],
    },
    {
        name: "policyTypes absent: a policy with egress rules isolates both directions",
        objects: [policy("x/both", { podSelector: { matchLabels: { pod: "a" } }, egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: "y" } } }] }] })],
        flows: [["x/a", "y/a", 80, true], ["x/a", "z/a", 80, false], ["x/b", "x/a", 80, false]],
    },
    {
        name: "policyTypes absent: `egress: []` is no egress rule, so the policy isolates ingress only",
        objects: [policy("x/ingress-only", { podSelector: { matchLabels: { pod: "a" } }, egress: [] })],
        flows: [["x/a", "z/a", 80, true], ["x/b", "x/a", 80, false]],
    },
    {
        name: "`ingress: [{}]` (one empty rule) admits everything; `ingress: []` admits nothing",
        objects: [
            policy("x/allow-all", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{}] }),
            policy("x/deny-b", { podSelector: { matchLabels: { pod: "b" } }, ingress: [] }),
        ],
        flows: [["z/c", "x/a", 80, true], ["x/c", "x/a", 81, true], ["x/c", "x/b", 80, false]],
    },
    {
        name: "`from: []` admits every source, while `ports` still limits the rule",
        objects: [policy("x/any-source", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ from: [], ports: [{ port: 80 }] }] })],
        flows: [["z/c", "x/a", 80, true], ["ip:203.0.113.9", "x/a", 80, true], ["z/c", "x/a", 81, false]],
    },
    {
        name: "`ports: []` and absent ports admit every port and protocol",
        objects: [
            policy("x/a", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: "b" } } }], ports: [] }] }),
            policy("x/c", { podSelector: { matchLabels: { pod: "c" } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: "b" } } }] }] }),
        ],
        flows: [["x/b", "x/a", 81, true], ["x/b", "x/a", 53, true, "UDP"], ["x/b", "x/c", 82, true, "SCTP"], ["x/a", "x/c", 80, false]],
    },
    {
        name: "podSelector alone selects pods in the policy's own namespace only",
        objects: [policy("x/from-b", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: "b" } } }] }] })],
        flows: [["x/b", "x/a", 80, true], ["y/b", "x/a", 80, false], ["z/b", "x/a", 80, false]],
    },
    {
        name: "namespaceSelector alone selects every pod of the matching namespaces",
        objects: [policy("x/from-y", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: "y" } } }] }] })],
        flows: [["y/a", "x/a", 80, true], ["y/c", "x/a", 80, true], ["z/a", "x/a", 80, false], ["x/b", "x/a", 80, false]],
    },
    {
        name: "podSelector AND namespaceSelector in one peer: pods matching both",
        objects: [policy("x/and", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: "y" } }, podSelector: { matchLabels: { pod: "b" } } }] }] })],
        flows: [["y/b", "x/a", 80, true], ["y/c", "x/a", 80, false], ["z/b", "x/a", 80, false], ["x/b", "x/a", 80, false]],
    },
    {
        name: "separate peers are ORed: pods matching either",
        objects: [policy("x/or", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: "y" } } }, { podSelector: { matchLabels: { pod: "b" } } }] }] })],
        flows: [["y/c", "x/a", 80, true], ["x/b", "x/a", 80, true], ["z/b", "x/a", 80, false], ["x/c", "x/a", 80, false]],
    },
    {
        name: "empty selectors: podSelector {} is every pod of the namespace, namespaceSelector {} every namespace",
        objects: [
            policy("x/same-ns", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ from: [{ podSelector: {} }] }] }),
            policy("y/all-ns", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ from: [{ namespaceSelector: {} }] }] }),
        ],
        flows: [["x/c", "x/a", 80, true], ["y/c", "x/a", 80, false], ["z/c", "y/a", 80, true], ["ip:203.0.113.9", "y/a", 80, false]],
    },
    {
        name: "matchExpressions In and Exists",
        objects: [
            policy("x/in", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: "ns", operator: "In", values: ["y", "q"] }] } }] }] }),
            policy("x/exists", { podSelector: { matchLabels: { pod: "b" } }, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: "ns", operator: "Exists" }] }, podSelector: { matchExpressions: [{ key: "pod", operator: "Exists" }] } }] }] }),
        ],
        flows: [["y/c", "x/a", 80, true], ["z/c", "x/a", 80, false], ["z/c", "x/b", 80, true]],
    },
    {
        name: "matchExpressions NotIn matches objects without the key; DoesNotExist only those",
        objects: [
            namespace("w"),
            pod("w/bare", {}, ["80"]),
            pod("w/tier", { tier: "db" }, ["80"]),
            pod("w/web", { tier: "web" }, ["80"]),
            policy("x/notin", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["db"] }] } }] }] }),
            policy("x/dne", { podSelector: { matchLabels: { pod: "b" } }, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] } }] }] }),
        ],
        flows: [
            ["w/bare", "x/a", 80, true], ["w/web", "x/a", 80, true], ["w/tier", "x/a", 80, false],
            ["w/bare", "x/b", 80, true], ["w/web", "x/b", 80, false], ["w/tier", "x/b", 80, false],
        ],
    },
    {
        name: "matchLabels and matchExpressions are ANDed",
        objects: [policy("x/both", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: "b" }, matchExpressions: [{ key: "pod", operator: "NotIn", values: ["b"] }] } }] }] })],
        flows: [["x/b", "x/a", 80, false], ["x/c", "x/a", 80, false]],
    },
    {
        name: "namespaces carry kubernetes.io/metadata.name even when the manifest omits it",
        objects: [policy("x/by-name", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "z" } } }] }] })],
        flows: [["z/b", "x/a", 80, true], ["y/b", "x/a", 80, false]],
    },
    {
        name: "ipBlock admits addresses in the block but not in except, for egress and ingress",
        objects: [
            policy("x/egress", { podSelector: { matchLabels: { pod: "a" } }, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] } }] }] }),
            policy("x/ingress", { podSelector: { matchLabels: { pod: "b" } }, ingress: [{ from: [{ ipBlock: { cidr: "203.0.113.0/24" } }] }] }),
        ],
        flows: [
            ["x/a", "ip:10.2.3.4", 443, true], ["x/a", "ip:10.1.2.3", 443, false], ["x/a", "ip:192.0.2.1", 443, false],
            ["ip:203.0.113.50", "x/b", 80, true], ["ip:198.51.100.1", "x/b", 80, false],
        ],
    },
    {
        name: "ipBlock in IPv6, and an IPv4 block never matches an IPv6 address",
        objects: [policy("x/v6", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ from: [{ ipBlock: { cidr: "2001:db8::/32", except: ["2001:db8:ff::/48"] } }, { ipBlock: { cidr: "0.0.0.0/0" } }] }] })],
        flows: [["ip:2001:db8:1::7", "x/a", 80, true], ["ip:2001:db8:ff::7", "x/a", 80, false], ["ip:2001:db9::1", "x/a", 80, false], ["ip:192.0.2.1", "x/a", 80, true]],
    },
    {
        name: "ipBlock never matches pods, even 0.0.0.0/0 (pod IPs are not stable)",
        objects: [policy("x/only-ips", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] })],
        flows: [["x/b", "x/a", 80, false], ["ip:192.0.2.1", "x/a", 80, true]],
    },
    {
        name: "ports by number, with protocol TCP when absent",
        objects: [policy("x/p80", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ ports: [{ port: 80 }] }] })],
        flows: [["x/b", "x/a", 80, true], ["x/b", "x/a", 81, false], ["x/b", "x/a", 80, false, "UDP"]],
    },
    {
        name: "UDP and SCTP ports match only their protocol",
        objects: [policy("x/udp", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ ports: [{ protocol: "UDP", port: 53 }, { protocol: "SCTP", port: 82 }] }] })],
        flows: [["x/b", "x/a", 53, true, "UDP"], ["x/b", "x/a", 53, false], ["x/b", "x/a", 82, true, "SCTP"], ["x/b", "x/a", 82, false, "UDP"]],
    },
    {
        name: "a port without a number admits every port of its protocol",
        objects: [policy("x/all-udp", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ ports: [{ protocol: "UDP" }] }] })],
        flows: [["x/b", "x/a", 53, true, "UDP"], ["x/b", "x/a", 9999, true, "UDP"], ["x/b", "x/a", 80, false]],
    },
    {
        name: "endPort makes an inclusive range",
        objects: [policy("x/range", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ ports: [{ port: 8000, endPort: 8080 }] }] })],
        flows: [["x/b", "x/a", 8000, true], ["x/b", "x/a", 8080, true], ["x/b", "x/a", 7999, false], ["x/b", "x/a", 8081, false]],
    },
    {
        name: "a named port is the destination's port of that name and protocol",
        objects: [
            deployment("y/web", { app: "web" }, ["http:8080"]),
            policy("x/http", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ ports: [{ port: "http" }, { port: "dns", protocol: "UDP" }] }] }),
            policy("y/http", { podSelector: { matchLabels: { app: "web" } }, ingress: [{ ports: [{ port: "http" }] }] }),
        ],
        flows: [
            ["x/b", "x/a", 80, true], ["x/b", "x/a", "http", true], ["x/b", "x/a", 81, false], ["x/b", "x/a", 53, true, "UDP"],
            ["x/b", "y/web", 8080, true], ["x/b", "y/web", 80, false],
        ],
    },
    {
        name: "a named port does not match when the protocol differs (dns is UDP; a TCP rule named dns finds nothing)",
        objects: [policy("x/dns-tcp", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ ports: [{ port: "dns", protocol: "TCP" }] }] })],
        flows: [["x/b", "x/a", 53, false], ["x/b", "x/a", 53, false, "UDP"]],
    },
    {
        name: "egress to a named port uses the destination's ports, so it matches no address outside the cluster",
        objects: [policy("x/egress-http", { podSelector: { matchLabels: { pod: "a" } }, policyTypes: ["Egress"], egress: [{ ports: [{ port: "http" }] }] })],
        flows: [["x/a", "y/b", 80, true], ["x/a", "y/b", 81, false], ["x/a", "ip:192.0.2.1", 80, false]],
    },
    {
        name: "a port the destination does not declare is still governed by policy",
        objects: [policy("x/open", { podSelector: { matchLabels: { pod: "a" } }, ingress: [{ ports: [{ port: 9999 }] }] })],
        flows: [["x/b", "x/a", 9999, true], ["x/b", "x/a", 9998, false]],
    },
    {
        name: "a pod always reaches itself; replicas of one workload are separate pods",
        objects: [
            deployment("x/replicas", { app: "r" }, ["80"]),
            policy("x/deny", { podSelector: {} }),
        ],
        flows: [["x/a", "x/a", 80, true], ["x/b", "x/a", 80, false], ["x/replicas", "x/replicas", 80, false]],
    },
    {
        name: "addresses outside the cluster: only the pod's side of the flow has policies",
        objects: [policy("x/deny", { podSelector: { matchLabels: { pod: "a" } }, policyTypes: ["Ingress", "Egress"] })],
        flows: [["ip:192.0.2.1", "x/a", 80, false], ["x/a", "ip:192.0.2.1", 80, false], ["ip:192.0.2.1", "x/b", 80, true], ["x/b", "ip:192.0.2.1", 80, true]],
    },
    {
        name: "workloads stand for their template's pods, whatever their kind",
        objects: [
            ...["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job"].map((kind) => deployment(`z/${kind.toLowerCase()}`, { app: "db" }, ["5432"], kind)),
            { apiVersion: "v1", kind: "ReplicationController", metadata: { name: "rc", namespace: "z" }, spec: { selector: { app: "db" }, template: { spec: { containers: [{ name: "c" }] } } } },
            { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "cron", namespace: "z" }, spec: { jobTemplate: { spec: { template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "c" }] } } } } } },
            policy("z/db", { podSelector: { matchLabels: { app: "db" } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: "x" } } }] }] }),
        ],
        flows: [
            ...["deployment", "replicaset", "statefulset", "daemonset", "job", "rc", "cron"].flatMap((w): ExpectedFlow[] => [["x/a", `z/${w}`, 5432, true], ["y/a", `z/${w}`, 5432, false]]),
            ["z/deployment", "x/a", 80, true],
        ],
    },
];

describe("netpol semantics", () => {
    for (const c of CASES) {
        it(c.name, () => expectFlows([...topology(), ...c.objects], c.flows));
    }
});

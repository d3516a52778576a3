/**
 * The least Kubernetes access verify needs, as plain data: the lab's VerifierAccess component creates exactly these
 * objects, the README shows them as YAML for a cluster you bring, and verify names the rule a 403 is missing.
 *
 * Scoped to the demo namespaces: there, verify lists pods, Services and NetworkPolicies, and starts one probe
 * container in a pod of each source workload (patching pods/ephemeralcontainers, which runs a container of any image
 * in the pod, like `kubectl debug`: so nowhere else) and reads its log. Cluster-wide it only lists namespaces, whose
 * labels namespaceSelectors match.
 */

/** The Kubernetes group the EKS access entries of clusterVerifierArns put their principals in. */
export const VERIFIER_GROUP = "eks-netpol-lab-verifiers";
/** The role bound in each demo namespace. */
export const VERIFIER_ROLE = "eks-netpol-lab-verifier";
/** The role bound cluster-wide: namespaces only. */
export const NAMESPACE_READER_ROLE = "eks-netpol-lab-verifier-namespaces";

export interface PolicyRule {
    apiGroups: string[];
    resources: string[];
    verbs: string[];
}

/** What verify does in each demo namespace. */
export const VERIFIER_RULES: PolicyRule[] = [
    // Which pods to probe from and their IPs, the Services' ClusterIPs, and the policies (prediction and drift).
    { apiGroups: [""], resources: ["pods", "services"], verbs: ["list"] },
    { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["list"] },
    // One probe container per source pod per run, and its output.
    { apiGroups: [""], resources: ["pods/ephemeralcontainers"], verbs: ["patch"] },
    { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
];

/** What verify reads cluster-wide: the namespaces' labels. */
export const NAMESPACE_READER_RULES: PolicyRule[] = [{ apiGroups: [""], resources: ["namespaces"], verbs: ["list"] }];

const RBAC = "rbac.authorization.k8s.io";
type Subject = { apiGroup: typeof RBAC; kind: "Group"; name: string };
type RoleRef = { apiGroup: typeof RBAC; kind: "ClusterRole"; name: string };

export interface RbacObjects {
    /** The two ClusterRoles: verify's namespaced rules (bound per namespace), and listing namespaces. */
    clusterRoles: { apiVersion: "rbac.authorization.k8s.io/v1"; kind: "ClusterRole"; metadata: { name: string }; rules: PolicyRule[] }[];
    clusterRoleBinding: { apiVersion: "rbac.authorization.k8s.io/v1"; kind: "ClusterRoleBinding"; metadata: { name: string }; roleRef: RoleRef; subjects: Subject[] };
    roleBindings: { apiVersion: "rbac.authorization.k8s.io/v1"; kind: "RoleBinding"; metadata: { name: string; namespace: string }; roleRef: RoleRef; subjects: Subject[] }[];
}

/** Verify's RBAC for the demos' `namespaces`. */
export function verifierRbac(namespaces: readonly string[]): RbacObjects {
    const subjects: Subject[] = [{ apiGroup: RBAC, kind: "Group", name: VERIFIER_GROUP }];
    const ref = (name: string): RoleRef => ({ apiGroup: RBAC, kind: "ClusterRole", name });
    return {
        clusterRoles: [
            { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: VERIFIER_ROLE }, rules: VERIFIER_RULES },
            { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: NAMESPACE_READER_ROLE }, rules: NAMESPACE_READER_RULES },
        ],
        clusterRoleBinding: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: NAMESPACE_READER_ROLE }, roleRef: ref(NAMESPACE_READER_ROLE), subjects },
        roleBindings: namespaces.map((namespace) => ({
            apiVersion: "rbac.authorization.k8s.io/v1" as const,
            kind: "RoleBinding" as const,
            metadata: { name: VERIFIER_ROLE, namespace },
            roleRef: ref(VERIFIER_ROLE),
            subjects,
        })),
    };
}

/** The rule that grants `verb` on `resource` (e.g. "pods/ephemeralcontainers"), as the README writes it. */
export function ruleFor(verb: string, resource: string): string {
    const rule = [...VERIFIER_RULES, ...NAMESPACE_READER_RULES].find((r) => r.verbs.includes(verb) && r.resources.includes(resource));
    const group = rule?.apiGroups[0] ?? "";
    const where = NAMESPACE_READER_RULES.includes(rule!) ? "cluster-wide" : "in each demo namespace";
    return `${verb} ${resource}${group ? ` (${group})` : ""} ${rule ? where : ""}`.trimEnd();
}

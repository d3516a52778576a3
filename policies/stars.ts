/**
 * Calico's "Stars" demo (the walkthrough's Demo-1), as data: a management UI that shows which of client (C),
 * frontend (F) and backend (B) can reach which, and the policy stages that lock it down step by step.
 *
 * Workloads follow the demo's current manifests (Deployments, multi-arch images); the policies are byte for byte
 * those of the walkthrough, which never changed between Calico v3.3 and today. All of them are ingress-only, so every
 * pod keeps its egress (and DNS) throughout.
 */
import { ContainerSpec, DemoWorkloads, Deployable, DeploymentObject, deploymentObject, namespaceObject, NetworkPolicyObject, networkPolicy, serviceFor } from "./manifests";

/** The stages of the walkthrough, in order; each keeps every policy of the stages before it. */
export const STARS_STAGES = ["open", "deny-all", "allow-ui", "allow-backend", "final"] as const;
export type StarsStage = (typeof STARS_STAGES)[number];

/** Every probe polls these; the UI draws an edge when a probe reports a target reachable. */
const PROBE_TARGETS = ["http://frontend.stars:80/status", "http://backend.stars:6379/status", "http://client.client:9000/status"];

export const MANAGEMENT_UI_PORT_FORWARD = "kubectl port-forward service/management-ui -n management-ui 9001";

export function starsWorkloads(): DemoWorkloads {
    const deployments = [
        starsDeployment("management-ui", "management-ui", { name: "management-ui", image: "calico/star-collect:multiarch", ports: [{ containerPort: 9001 }] }),
        starsDeployment("stars", "backend", probe("backend", 6379, PROBE_TARGETS)),
        starsDeployment("stars", "frontend", probe("frontend", 80, PROBE_TARGETS)),
        // The client only polls; it listens on star-probe's default port, 9000, so that others can try to reach it.
        starsDeployment("client", "client", probe("client", 9000, PROBE_TARGETS.slice(0, 2))),
    ];
    return {
        namespaces: [namespaceObject("stars"), namespaceObject("management-ui", { role: "management-ui" }), namespaceObject("client", { role: "client" })],
        configMaps: [],
        deployments,
        services: deployments.map(serviceFor),
    };
}

function probe(role: string, port: number, urls: string[]): Omit<ContainerSpec, "resources"> {
    const listen = port === 9000 ? [] : [`--http-port=${port}`];
    return { name: role, image: "calico/star-probe:multiarch", command: ["probe", ...listen, `--urls=${urls.join(",")}`], ports: [{ containerPort: port }] };
}

function starsDeployment(namespace: string, role: string, container: Omit<ContainerSpec, "resources">): Deployable<DeploymentObject> {
    const resources = { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } };
    return deploymentObject(`${namespace}-${role}`, namespace, role, { role }, { containers: [{ ...container, resources }] });
}

/** default-deny.yaml, applied to a namespace: selects every pod, admits nothing (no ingress rules). */
function defaultDeny(namespace: string): Deployable<NetworkPolicyObject> {
    return networkPolicy(`${namespace}-default-deny`, namespace, "default-deny", { podSelector: { matchLabels: {} } });
}

/** allow-ui.yaml / allow-ui-client.yaml: every pod admits anything from the namespace labelled role=management-ui. */
function allowUi(namespace: string): Deployable<NetworkPolicyObject> {
    return networkPolicy(`${namespace}-allow-ui`, namespace, "allow-ui", {
        podSelector: { matchLabels: {} },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { role: "management-ui" } } }] }],
    });
}

/** What each stage adds. Resource names never depend on the stage, so moving between stages only adds or deletes. */
const STAGE_ADDS: Record<StarsStage, Deployable<NetworkPolicyObject>[]> = {
    open: [],
    "deny-all": [defaultDeny("stars"), defaultDeny("client")],
    "allow-ui": [allowUi("stars"), allowUi("client")],
    "allow-backend": [
        // A podSelector without a namespaceSelector means the policy's own namespace: only frontend in stars.
        networkPolicy("stars-backend-policy", "stars", "backend-policy", {
            podSelector: { matchLabels: { role: "backend" } },
            ingress: [{ from: [{ podSelector: { matchLabels: { role: "frontend" } } }], ports: [{ protocol: "TCP", port: 6379 }] }],
        }),
    ],
    final: [
        // A namespaceSelector alone admits every pod of the client namespace.
        networkPolicy("stars-frontend-policy", "stars", "frontend-policy", {
            podSelector: { matchLabels: { role: "frontend" } },
            ingress: [{ from: [{ namespaceSelector: { matchLabels: { role: "client" } } }], ports: [{ protocol: "TCP", port: 80 }] }],
        }),
    ],
};

/** The policies in force at `stage`: everything its own and every earlier stage adds. */
export function starsPolicies(stage: StarsStage): Deployable<NetworkPolicyObject>[] {
    const upTo = STARS_STAGES.slice(0, STARS_STAGES.indexOf(stage) + 1);
    return upTo.flatMap((s) => STAGE_ADDS[s]);
}

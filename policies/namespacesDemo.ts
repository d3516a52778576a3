/**
 * The walkthrough's Demo-2, as data: three namespaces, each with a small web server `frontend-<x>` on port 80, so that
 * `curl frontend-a.namespace-a.svc.cluster.local` from any pod shows who can reach whom; and the policy that isolates
 * each namespace from the others.
 */
import { ConfigMapObject, DemoWorkloads, Deployable, DeploymentObject, deploymentObject, namespaceObject, NetworkPolicyObject, networkPolicy, serviceFor } from "./manifests";

export const DEMO_NAMESPACES = ["a", "b", "c"].map((x) => ({ namespace: `namespace-${x}`, app: `frontend-${x}` }));

/** nginx as an unprivileged user, answering every request with the name of the frontend that served it. */
const IMAGE = "nginxinc/nginx-unprivileged:1.28";
const NGINX_USER = 101;

export function namespacesWorkloads(): DemoWorkloads {
    const deployments = DEMO_NAMESPACES.map(({ namespace, app }) => frontend(namespace, app));
    return {
        namespaces: DEMO_NAMESPACES.map(({ namespace }) => namespaceObject(namespace)),
        configMaps: DEMO_NAMESPACES.map(({ namespace, app }) => siteConfig(namespace, app)),
        deployments,
        services: deployments.map(serviceFor),
    };
}

function siteConfig(namespace: string, app: string): Deployable<ConfigMapObject> {
    const conf = `server {\n    listen 80;\n    location / {\n        default_type text/plain;\n        return 200 "${app} in ${namespace}\\n";\n    }\n}\n`;
    return { resourceName: `${namespace}-${app}-site`, object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `${app}-site`, namespace }, data: { "default.conf": conf } } };
}

function frontend(namespace: string, app: string): Deployable<DeploymentObject> {
    return deploymentObject(`${namespace}-${app}`, namespace, app, { app }, {
        securityContext: {
            runAsNonRoot: true,
            runAsUser: NGINX_USER,
            runAsGroup: NGINX_USER,
            seccompProfile: { type: "RuntimeDefault" },
            // Port 80 without root: a namespaced, "safe" sysctl (Kubernetes 1.22+). The Service port must equal the
            // container port for the VPC CNI's policy agent, so 80 it is.
            sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }],
        },
        containers: [{
            name: "nginx",
            image: IMAGE,
            ports: [{ name: "http", containerPort: 80 }],
            resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
            volumeMounts: [{ name: "site", mountPath: "/etc/nginx/conf.d", readOnly: true }],
        }],
        volumes: [{ name: "site", configMap: { name: `${app}-site` } }],
    });
}

/**
 * With isolation on, every pod of each namespace admits traffic only from pods of the same namespace: a podSelector
 * without a namespaceSelector means "this namespace", and `{}` means every pod in it.
 */
export function namespaceIsolationPolicies(isolate: boolean): Deployable<NetworkPolicyObject>[] {
    if (!isolate) return [];
    return DEMO_NAMESPACES.map(({ namespace }) =>
        networkPolicy(`${namespace}-same-namespace-only`, namespace, "same-namespace-only", {
            podSelector: {},
            ingress: [{ from: [{ podSelector: {} }] }],
        }),
    );
}

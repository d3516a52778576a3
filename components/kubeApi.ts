/**
 * Just enough of the Kubernetes API for the CRD cleanup to run where Pulumi runs: an EKS bearer token made the way
 * `aws eks get-token` makes it, and JSON requests to the cluster's endpoint trusting only the cluster's CA.
 *
 * The token is "k8s-aws-v1." + the base64url of a presigned STS GetCallerIdentity URL that signs the header
 * x-k8s-aws-id (the cluster name); EKS redeems it to learn who is calling (aws-iam-authenticator's token format).
 */
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Checksum, SourceData } from "@smithy/types";
import * as crypto from "crypto";
import * as https from "https";

/** SHA-256 (or HMAC-SHA-256 when given a key) for the signer, on Node's own crypto. */
class Sha256 implements Checksum {
    private hash: crypto.Hash | crypto.Hmac;

    constructor(private readonly secret?: SourceData) {
        this.hash = this.create();
    }

    private create(): crypto.Hash | crypto.Hmac {
        return this.secret === undefined ? crypto.createHash("sha256") : crypto.createHmac("sha256", toBuffer(this.secret));
    }

    update(data: Uint8Array): void {
        this.hash.update(data);
    }

    async digest(): Promise<Uint8Array> {
        return new Uint8Array(this.hash.digest());
    }

    reset(): void {
        this.hash = this.create();
    }
}

function toBuffer(data: SourceData): Buffer {
    if (typeof data === "string") return Buffer.from(data, "utf8");
    return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data as ArrayBuffer);
}

/**
 * The credentials of `profile` (or of the default chain without one), failing with a message that names the profile
 * and where it was set: the SDK's own error ("Could not load credentials from any providers") names neither.
 */
export function awsCredentials(profile?: string): AwsCredentialIdentityProvider {
    const provider = defaultProvider(profile ? { profile } : {});
    if (!profile) return provider;
    return async () => {
        try {
            return await provider();
        } catch (e) {
            throw new Error(`could not load the credentials of AWS profile "${profile}" (stack config aws:profile): ${(e as Error).message}`);
        }
    };
}

/** An EKS authentication token for `clusterName`, valid for about a minute of use (tokens live 15 minutes). */
export async function eksToken(clusterName: string, region: string, credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider, signingDate?: Date): Promise<string> {
    const signer = new SignatureV4({ service: "sts", region, sha256: Sha256, credentials: credentials ?? defaultProvider() });
    // The China regions (cn-north-1, cn-northwest-1) are their own partition, under amazonaws.com.cn.
    const hostname = `sts.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`;
    const presigned = await signer.presign(
        {
            method: "GET",
            protocol: "https:",
            hostname,
            path: "/",
            query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
            headers: { host: hostname, "x-k8s-aws-id": clusterName },
        },
        { expiresIn: 60, signingDate, unhoistableHeaders: new Set(["x-k8s-aws-id"]) },
    );
    const query = Object.entries(presigned.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join("&");
    const url = `https://${hostname}/?${query}`;
    return `k8s-aws-v1.${Buffer.from(url).toString("base64url")}`;
}

export interface KubeCluster {
    clusterName: string;
    /** https://… endpoint of the API server. */
    server: string;
    /** Base64 PEM of the cluster CA, as in a kubeconfig. */
    certificateAuthorityData: string;
    region: string;
}

/** The verbs the cleanup needs. */
export interface KubeApi {
    get(path: string): Promise<any>;
    delete(path: string): Promise<void>;
}

export interface KubeApiOptions {
    /** The AWS profile whose credentials sign the EKS token. @default - the default credential chain's choice */
    profile?: string;
    /** What signs the EKS token, instead of a profile's or the default chain's credentials. */
    credentials?: AwsCredentialIdentity;
    /** The longest one request may wait for an answer. @default - 30 s */
    timeoutSeconds?: number;
    /**
     * The largest answer read: a list of CRDs with their schemas runs to megabytes on a busy cluster, never to this.
     * @default - 128 MiB
     */
    maxBodyBytes?: number;
}

interface Reply {
    status: number;
    body: string;
}

export function kubeApi(cluster: KubeCluster, options: KubeApiOptions = {}): KubeApi {
    const timeoutSeconds = options.timeoutSeconds ?? 30;
    const maxBodyBytes = options.maxBodyBytes ?? 128 * 1024 * 1024;
    // One provider for every request: it caches the credentials it resolves.
    const credentials = options.credentials ?? awsCredentials(options.profile);
    const request = async (method: string, path: string): Promise<Reply> => {
        const token = await eksToken(cluster.clusterName, cluster.region, credentials);
        const url = new URL(path, cluster.server);
        return new Promise((resolve, reject) => {
            const req = https.request(url, {
                method,
                ca: Buffer.from(cluster.certificateAuthorityData, "base64"),
                headers: { authorization: `Bearer ${token}`, accept: "application/json" },
                timeout: timeoutSeconds * 1000,
            }, (res) => {
                let body = "";
                res.on("data", (chunk) => {
                    body += chunk;
                    if (body.length > maxBodyBytes) req.destroy(new Error(`${method} ${path}: the answer exceeds ${maxBodyBytes} bytes; not read further`));
                });
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
            });
            req.on("timeout", () => req.destroy(new Error(`${method} ${path}: no answer in ${timeoutSeconds} s`)));
            req.on("error", reject);
            req.end();
        });
    };
    const check = (method: string, path: string, r: Reply) => {
        if (r.status >= 300 && r.status !== 404) throw apiError(method, path, r);
    };
    return {
        async get(path) {
            const r = await request("GET", path);
            check("GET", path, r);
            return r.status === 404 ? undefined : JSON.parse(r.body);
        },
        async delete(path) {
            check("DELETE", path, await request("DELETE", path));
        },
    };
}

/** An error as the API server states it (its Status's reason and message), saying what to check on 401 and 403. */
function apiError(method: string, path: string, r: Reply): Error {
    let status: { reason?: string; message?: string } = {};
    try {
        status = JSON.parse(r.body);
    } catch {
        // Not a Status (a proxy's page, say): quote the start of the body below.
    }
    // The server's words, bounded: a message can be as long as the object it quotes.
    const cut = (text: string) => (text.length > 1000 ? `${text.slice(0, 1000)}… (${text.length} characters)` : text);
    const detail = status.message ? `${String(status.reason ?? "Failure").slice(0, 100)}: ${cut(String(status.message))}` : cut(r.body.slice(0, 300));
    const hints: Record<number, string> = {
        401: "; the cluster did not accept the EKS token: is this AWS identity given access to the cluster (an access entry or aws-auth)?",
        403: "; the AWS identity is known to the cluster, but its Kubernetes RBAC does not allow this",
    };
    return new Error(`${method} ${path}: HTTP ${r.status} ${detail}${hints[r.status] ?? ""}`);
}

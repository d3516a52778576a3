/**
 * The environment a dynamic-provider host runs in for the tests: AWS pointed at loopback, fake static credentials, no
 * instance metadata, and config and credentials files of our own (in a temporary HOME), so nothing ambient (a
 * developer's AWS_PROFILE or ~/.aws) can reach AWS or change what the providers do.
 */
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

/** The access key id of the credentials in the environment, as the fakes see it in signatures. */
export const ENV_KEY_ID = "AKIDHOSTENVIRONMENT";
export const ENV_SECRET = "fake-secret-for-tests";

/** A profile in the shared credentials file, with an access key of its own. */
export const PROFILE = { name: "lab-admin", keyId: "AKIDFROMPROFILE", secret: "fake-profile-secret" };

export interface HostEnvOptions {
    /** Where the EKS and Auto Scaling clients send requests (a fake, or a closed port). */
    awsEndpoint: string;
    /** The shared credentials file's content (ini). @default - PROFILE's credentials */
    credentials?: string;
}

export interface HostEnv {
    vars: Record<string, string>;
    /** Removes the temporary HOME and its files. */
    remove(): void;
}

export function hostEnv(options: HostEnvOptions): HostEnv {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "eks-netpol-lab-host-"));
    fs.writeFileSync(path.join(home, "config"), "");
    const profile = `[${PROFILE.name}]\naws_access_key_id = ${PROFILE.keyId}\naws_secret_access_key = ${PROFILE.secret}\n`;
    fs.writeFileSync(path.join(home, "credentials"), options.credentials ?? profile);
    return {
        vars: {
            HOME: home,
            AWS_CONFIG_FILE: path.join(home, "config"),
            AWS_SHARED_CREDENTIALS_FILE: path.join(home, "credentials"),
            AWS_REGION: "us-west-2",
            AWS_ACCESS_KEY_ID: ENV_KEY_ID,
            AWS_SECRET_ACCESS_KEY: ENV_SECRET,
            AWS_EC2_METADATA_DISABLED: "true",
            AWS_ENDPOINT_URL_EKS: options.awsEndpoint,
            AWS_ENDPOINT_URL_AUTO_SCALING: options.awsEndpoint,
        },
        remove: () => fs.rmSync(home, { recursive: true, force: true }),
    };
}

/** A loopback port nothing listens on (bound, then released): connecting to it is refused at once. */
export async function closedPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    return port;
}

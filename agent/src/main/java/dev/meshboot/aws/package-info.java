/**
 * AWS facts and credentials for the agent: the region, the credentials chain (with an optional
 * assumed role) and a redacted view of who the agent is. Every client uses the SDK's URL-connection
 * HTTP client with short timeouts, and every endpoint can be pointed at loopback for tests.
 */
package dev.meshboot.aws;

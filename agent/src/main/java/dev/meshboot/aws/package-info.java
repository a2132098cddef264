/**
 * AWS facts and credentials for the agent: the region, the ECS task and EC2 instance metadata that
 * go into node metadata, the credentials chain (with an optional assumed role) and a redacted view
 * of who the agent is. Every client uses the SDK's URL-connection HTTP client with short timeouts
 * (the task metadata GET the JDK's, so that Fargate loads no SDK class), and every endpoint can be
 * pointed at loopback for tests.
 */
package dev.meshboot.aws;

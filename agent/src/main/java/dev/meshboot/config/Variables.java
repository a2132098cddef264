package dev.meshboot.config;

import static dev.meshboot.config.Variable.Section.ADMIN;
import static dev.meshboot.config.Variable.Section.AGENT;
import static dev.meshboot.config.Variable.Section.AWS;
import static dev.meshboot.config.Variable.Section.FILES;
import static dev.meshboot.config.Variable.Section.IDENTITY;
import static dev.meshboot.config.Variable.Section.METADATA;
import static dev.meshboot.config.Variable.Section.PROCESS;
import static dev.meshboot.config.Variable.Section.STATS;
import static dev.meshboot.config.Variable.Section.TRACING;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Every variable meshboot reads: the single source of the parsers' defaults, the command-line
 * options, {@code --help} and the README's variable reference (a test keeps the README in step).
 */
public final class Variables {

  private static final List<Variable> registry = new ArrayList<>();

  public static final Variable APPMESH_RESOURCE_ARN =
      add(
          IDENTITY,
          "APPMESH_RESOURCE_ARN",
          null,
          "required",
          "Node id: arn:aws:appmesh:<region>:<account>:mesh/<mesh>/virtualNode/<name> (or"
              + " virtualGateway/<name>), or the short form mesh/<mesh>/virtualNode/<name>.");
  public static final Variable APPMESH_RESOURCE_NAME =
      add(IDENTITY, "APPMESH_RESOURCE_NAME", null, "unset", "Deprecated fallback for the node id.");
  public static final Variable APPMESH_VIRTUAL_NODE_NAME =
      add(
          IDENTITY,
          "APPMESH_VIRTUAL_NODE_NAME",
          null,
          "unset",
          "Deprecated fallback for the node id, after APPMESH_RESOURCE_NAME.");
  public static final Variable APPMESH_RESOURCE_CLUSTER =
      add(IDENTITY, "APPMESH_RESOURCE_CLUSTER", null, "the node id", "Envoy node.cluster.");
  public static final Variable APPMESH_VIRTUAL_NODE_CLUSTER =
      add(
          IDENTITY,
          "APPMESH_VIRTUAL_NODE_CLUSTER",
          null,
          "unset",
          "Deprecated fallback for APPMESH_RESOURCE_CLUSTER.");
  public static final Variable AWS_REGION =
      add(
          IDENTITY,
          "AWS_REGION",
          null,
          "AWS_DEFAULT_REGION, then ECS task metadata, then EC2 instance metadata",
          "Region of the App Mesh management endpoint; not needed for an explicit non-AWS or"
              + " unix:// endpoint.");
  public static final Variable AWS_DEFAULT_REGION =
      add(IDENTITY, "AWS_DEFAULT_REGION", null, "unset", "Region when AWS_REGION is unset.");
  public static final Variable APPMESH_XDS_ENDPOINT =
      add(
          IDENTITY,
          "APPMESH_XDS_ENDPOINT",
          null,
          "the regional App Mesh endpoint",
          "Management (xDS) endpoint as host:port, or unix:///path for a local server.");
  public static final Variable APPMESH_PREVIEW =
      add(
          IDENTITY,
          "APPMESH_PREVIEW",
          "false",
          "",
          "Use the preview endpoint and signing name appmesh-preview.");
  public static final Variable APPMESH_DUALSTACK_ENDPOINT =
      add(IDENTITY, "APPMESH_DUALSTACK_ENDPOINT", "false", "", "Use the dual-stack endpoint.");
  public static final Variable APPMESH_FIPS_ENDPOINT =
      add(
          IDENTITY,
          "APPMESH_FIPS_ENDPOINT",
          null,
          "detected from envoy --version",
          "Use the FIPS endpoint (GovCloud and ISO regions require a FIPS Envoy build).");
  public static final Variable APPMESH_SIGNING_NAME =
      add(
          IDENTITY,
          "APPMESH_SIGNING_NAME",
          null,
          "appmesh (appmesh-preview with APPMESH_PREVIEW)",
          "SigV4 service name of the management endpoint.");
  public static final Variable MESHBOOT_XDS_MODE =
      add(
          IDENTITY,
          "MESHBOOT_XDS_MODE",
          "auto",
          "",
          "How Envoy reaches the management endpoint: auto, relay (through meshboot, which signs),"
              + " aws-iam (Envoy <= 1.34 signs) or direct (no signing).");
  public static final Variable MESHBOOT_XDS_RELAY_SOCKET =
      add(
          IDENTITY,
          "MESHBOOT_XDS_RELAY_SOCKET",
          "/tmp/meshboot_xds_relay.sock",
          "",
          "Unix socket of meshboot's xDS relay, which Envoy's ADS connects to in relay mode.");
  public static final Variable MESHBOOT_XDS_TLS =
      add(
          IDENTITY,
          "MESHBOOT_XDS_TLS",
          "false",
          "",
          "Direct mode: connect to a host:port endpoint with TLS (SNI = host).");
  public static final Variable MESHBOOT_XDS_CA_FILE =
      add(
          IDENTITY,
          "MESHBOOT_XDS_CA_FILE",
          null,
          "the system CA bundle",
          "CA certificates that verify the management endpoint's TLS certificate.");
  public static final Variable MESHBOOT_XDS_CACHE =
      add(
          IDENTITY,
          "MESHBOOT_XDS_CACHE",
          "true",
          "",
          "Relay mode: keep the configuration Envoy accepted on disk and serve it while the"
              + " management endpoint cannot be reached.");
  public static final Variable MESHBOOT_XDS_CACHE_DIR =
      add(
          IDENTITY,
          "MESHBOOT_XDS_CACHE_DIR",
          null,
          "$MESHBOOT_CACHE_DIR/xds",
          "Directory (an absolute path) of the last-known-good xDS cache (files 0600, one directory"
              + " per node id and"
              + " endpoint); a volume that outlives the container keeps it across restarts.");
  public static final Variable ENVOY_BIN =
      add(
          IDENTITY,
          "ENVOY_BIN",
          "--envoy",
          null,
          "envoy on PATH, then /usr/bin/envoy",
          "Envoy binary whose --version decides the auto mode and FIPS, and that validates.");

  public static final Variable AWS_ACCESS_KEY_ID =
      add(AWS, "AWS_ACCESS_KEY_ID", null, "unset", "Static credentials: the access key id.");
  public static final Variable AWS_SECRET_ACCESS_KEY =
      add(
          AWS,
          "AWS_SECRET_ACCESS_KEY",
          null,
          "unset",
          "Static credentials: the secret key (never echoed in messages).");
  public static final Variable AWS_SESSION_TOKEN =
      add(
          AWS,
          "AWS_SESSION_TOKEN",
          null,
          "unset",
          "Static credentials: the session token of temporary credentials (never echoed).");
  public static final Variable AWS_PROFILE =
      add(AWS, "AWS_PROFILE", "default", "", "Profile of the shared config and credentials files.");
  public static final Variable AWS_CONFIG_FILE =
      add(AWS, "AWS_CONFIG_FILE", null, "~/.aws/config", "Shared config file.");
  public static final Variable AWS_SHARED_CREDENTIALS_FILE =
      add(
          AWS,
          "AWS_SHARED_CREDENTIALS_FILE",
          null,
          "~/.aws/credentials",
          "Shared credentials file.");
  public static final Variable AWS_WEB_IDENTITY_TOKEN_FILE =
      add(
          AWS,
          "AWS_WEB_IDENTITY_TOKEN_FILE",
          null,
          "unset",
          "Web identity (EKS IRSA): the token file, re-read at every refresh; needs AWS_ROLE_ARN.");
  public static final Variable AWS_ROLE_ARN =
      add(AWS, "AWS_ROLE_ARN", null, "unset", "Web identity (EKS IRSA): the role to assume.");
  public static final Variable AWS_ROLE_SESSION_NAME =
      add(
          AWS,
          "AWS_ROLE_SESSION_NAME",
          "meshboot",
          "",
          "Web identity (EKS IRSA): the role session name.");
  public static final Variable AWS_CONTAINER_CREDENTIALS_RELATIVE_URI =
      add(
          AWS,
          "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
          null,
          "unset",
          "ECS task role: path of the credentials endpoint on 169.254.170.2 (set by ECS).");
  public static final Variable AWS_CONTAINER_CREDENTIALS_FULL_URI =
      add(
          AWS,
          "AWS_CONTAINER_CREDENTIALS_FULL_URI",
          null,
          "unset",
          "Container credentials endpoint (EKS Pod Identity); http only to loopback or the ECS"
              + " and EKS link-local addresses.");
  public static final Variable AWS_CONTAINER_AUTHORIZATION_TOKEN =
      add(
          AWS,
          "AWS_CONTAINER_AUTHORIZATION_TOKEN",
          null,
          "unset",
          "Authorization header for the container credentials endpoint (never echoed).");
  public static final Variable AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE =
      add(
          AWS,
          "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
          null,
          "unset",
          "File holding that header, re-read at every refresh (EKS Pod Identity); wins over"
              + " AWS_CONTAINER_AUTHORIZATION_TOKEN.");
  public static final Variable AWS_EC2_METADATA_DISABLED =
      add(
          AWS,
          "AWS_EC2_METADATA_DISABLED",
          null,
          "false",
          "true: never ask EC2 instance metadata (region, availability zone, instance profile"
              + " credentials); set it off EC2 where the region is not given.");
  public static final Variable AWS_EC2_METADATA_SERVICE_ENDPOINT =
      add(
          AWS,
          "AWS_EC2_METADATA_SERVICE_ENDPOINT",
          null,
          "http://169.254.169.254",
          "EC2 instance metadata (IMDSv2) endpoint; when set, it is also asked for the availability"
              + " zone and zone ID (node metadata, node.locality).");
  public static final Variable ECS_CONTAINER_METADATA_URI_V4 =
      add(
          AWS,
          "ECS_CONTAINER_METADATA_URI_V4",
          null,
          "unset",
          "ECS task metadata v4 endpoint (set by ECS); its /task gives the region (from the"
              + " availability zone) and the node metadata's cluster, task, limits and zone.");
  public static final Variable MESHBOOT_ASSUME_ROLE_ARN =
      add(
          AWS,
          "MESHBOOT_ASSUME_ROLE_ARN",
          null,
          "unset",
          "Assume this role (STS AssumeRole) with the credentials found, e.g. for a mesh shared"
              + " from another account.");
  public static final Variable MESHBOOT_ASSUME_ROLE_EXTERNAL_ID =
      add(
          AWS,
          "MESHBOOT_ASSUME_ROLE_EXTERNAL_ID",
          null,
          "unset",
          "External id the assumed role's trust policy asks for.");
  public static final Variable MESHBOOT_ASSUME_ROLE_SESSION_NAME =
      add(
          AWS,
          "MESHBOOT_ASSUME_ROLE_SESSION_NAME",
          "meshboot",
          "",
          "Session name of the assumed role (2-64 of A-Z a-z 0-9 =,.@-_).");
  public static final Variable MESHBOOT_ASSUME_ROLE_DURATION_S =
      add(
          AWS,
          "MESHBOOT_ASSUME_ROLE_DURATION_S",
          "3600",
          "",
          "Lifetime of the assumed role's credentials (900-43200 s); refreshed before expiry.");
  public static final Variable MESHBOOT_STS_ENDPOINT =
      add(
          AWS,
          "MESHBOOT_STS_ENDPOINT",
          null,
          "the regional STS endpoint",
          "STS endpoint URL (a VPC endpoint, or a test server).");

  public static final Variable ENVOY_ADMIN_MODE =
      lenient(
          add(ADMIN, "ENVOY_ADMIN_MODE", "tcp", "", "tcp or uds: where Envoy's admin listens."),
          Variable.Fallback.DEFAULT);
  public static final Variable ENVOY_ADMIN_ACCESS_PORT =
      add(ADMIN, "ENVOY_ADMIN_ACCESS_PORT", "9901", "", "Envoy admin port (tcp mode).");
  public static final Variable ENVOY_ADMIN_ACCESS_ENABLE_IPV6 =
      add(
          ADMIN,
          "ENVOY_ADMIN_ACCESS_ENABLE_IPV6",
          "false",
          "",
          "Bind admin on IPv6: ::1 by default; with ENVOY_ADMIN_ACCESS_BIND_ADDRESS=:: it also"
              + " accepts IPv4.");
  public static final Variable ENVOY_ADMIN_ACCESS_BIND_ADDRESS =
      add(
          ADMIN,
          "ENVOY_ADMIN_ACCESS_BIND_ADDRESS",
          null,
          "127.0.0.1 (::1 with IPv6)",
          "Admin bind address. The reference binds all interfaces; meshboot binds loopback.");
  public static final Variable ENVOY_ADMIN_UDS_PATH =
      add(ADMIN, "ENVOY_ADMIN_UDS_PATH", "/tmp/envoy_admin.sock", "", "Admin socket (uds mode).");
  public static final Variable ENVOY_ADMIN_ACCESS_LOG_FILE =
      add(
          ADMIN,
          "ENVOY_ADMIN_ACCESS_LOG_FILE",
          "/tmp/envoy_admin_access.log",
          "",
          "Access log of the admin interface.");
  public static final Variable ENVOY_LOG_LEVEL =
      lenient(
          add(
              ADMIN,
              "ENVOY_LOG_LEVEL",
              "info",
              "",
              "Envoy log level: trace, debug, info, warn, warning, error, critical or off."),
          Variable.Fallback.DEFAULT);
  public static final Variable ENVOY_INITIAL_FETCH_TIMEOUT =
      add(
          ADMIN,
          "ENVOY_INITIAL_FETCH_TIMEOUT",
          "0",
          "",
          "Seconds Envoy waits for the first LDS and CDS response (0 = forever).");
  public static final Variable ENVOY_CONCURRENCY =
      lenient(
          add(
              ADMIN,
              "ENVOY_CONCURRENCY",
              null,
              "from the container CPU quota",
              "Envoy worker threads (--concurrency)."),
          Variable.Fallback.DEFAULT);
  public static final Variable ENVOY_OUTLIER_DETECTION_EVENT_LOG_PATH =
      add(
          ADMIN,
          "ENVOY_OUTLIER_DETECTION_EVENT_LOG_PATH",
          "/dev/stdout",
          "",
          "cluster_manager.outlier_detection.event_log_path.");
  public static final Variable APPMESH_SDS_SOCKET_PATH =
      add(
          ADMIN,
          "APPMESH_SDS_SOCKET_PATH",
          null,
          "unset",
          "Unix socket of an SDS agent (such as SPIRE); adds cluster"
              + " static_cluster_sds_unix_socket.");
  public static final Variable MAX_REQUESTS_PER_IO_CYCLE =
      lenient(
          add(
              ADMIN,
              "MAX_REQUESTS_PER_IO_CYCLE",
              null,
              "unset",
              "Runtime key http.max_requests_per_io_cycle (an integer > 0)."),
          new Variable.Fallback(null, null, false));
  public static final Variable APPMESH_SET_TRACING_DECISION =
      add(
          ADMIN,
          "APPMESH_SET_TRACING_DECISION",
          "true",
          "",
          "Runtime key envoy.reloadable_features.http_set_tracing_decision_in_request_id (left"
              + " out for Envoy 1.36 and later, which removed it, unless set).");
  public static final Variable ENVOY_NO_EXTENSION_LOOKUP_BY_NAME =
      add(
          ADMIN,
          "ENVOY_NO_EXTENSION_LOOKUP_BY_NAME",
          "true",
          "",
          "Runtime key envoy.reloadable_features.no_extension_lookup_by_name (left out for Envoy"
              + " 1.39 and later, which removed it, unless set).");
  public static final Variable ENVOY_USE_HTTP_CLIENT_TO_FETCH_AWS_CREDENTIALS =
      add(
          ADMIN,
          "ENVOY_USE_HTTP_CLIENT_TO_FETCH_AWS_CREDENTIALS",
          "false",
          "",
          "Runtime key envoy.reloadable_features.use_http_client_to_fetch_aws_credentials (left"
              + " out for Envoy 1.36 and later, which removed it, unless set).");

  public static final Variable ENABLE_ENVOY_STATS_TAGS =
      add(
          STATS,
          "ENABLE_ENVOY_STATS_TAGS",
          "false",
          "",
          "Add the fixed tags appmesh.mesh and appmesh.<kind>=<name>.");
  public static final Variable APPMESH_METRIC_EXTENSION_VERSION =
      lenient(
          add(
              STATS,
              "APPMESH_METRIC_EXTENSION_VERSION",
              "0",
              "",
              "1 enables the App Mesh metric extension (node metadata and tags)."),
          Variable.Fallback.DEFAULT);
  public static final Variable ENVOY_STATS_FLUSH_INTERVAL =
      add(
          STATS,
          "ENVOY_STATS_FLUSH_INTERVAL",
          null,
          "Envoy's 5s",
          "stats_flush_interval, a duration such as 15s or 5000ms.");
  public static final Variable ENABLE_ENVOY_DOG_STATSD =
      add(STATS, "ENABLE_ENVOY_DOG_STATSD", "false", "", "Add a DogStatsD stats sink.");
  public static final Variable STATSD_ADDRESS =
      add(STATS, "STATSD_ADDRESS", "127.0.0.1", "", "DogStatsD UDP address.");
  public static final Variable STATSD_PORT =
      add(STATS, "STATSD_PORT", "8125", "", "DogStatsD UDP port.");
  public static final Variable STATSD_SOCKET_PATH =
      add(
          STATS,
          "STATSD_SOCKET_PATH",
          null,
          "unset",
          "DogStatsD unix socket; replaces the UDP address.");
  public static final Variable ENVOY_STATS_CONFIG_FILE =
      add(
          STATS,
          "ENVOY_STATS_CONFIG_FILE",
          null,
          "unset",
          "File holding stats_config (it replaces the generated one), merged like"
              + " ENVOY_RESOURCES_CONFIG_FILE, so it may hold other bootstrap keys too.");
  public static final Variable ENVOY_STATS_SINKS_CFG_FILE =
      add(
          STATS,
          "ENVOY_STATS_SINKS_CFG_FILE",
          null,
          "unset",
          "File holding stats_sinks (they replace the DogStatsD variables), merged like"
              + " ENVOY_RESOURCES_CONFIG_FILE, so it may hold other bootstrap keys too (a sink's"
              + " cluster).");

  public static final Variable ENABLE_ENVOY_XRAY_TRACING =
      add(TRACING, "ENABLE_ENVOY_XRAY_TRACING", "false", "", "Trace with AWS X-Ray.");
  public static final Variable XRAY_SEGMENT_NAME =
      add(TRACING, "XRAY_SEGMENT_NAME", null, "<mesh>/<name>", "X-Ray segment name.");
  public static final Variable AWS_XRAY_DAEMON_ADDRESS =
      add(
          TRACING,
          "AWS_XRAY_DAEMON_ADDRESS",
          null,
          "127.0.0.1:XRAY_DAEMON_PORT",
          "X-Ray daemon UDP address, ip or ip:port.");
  public static final Variable XRAY_DAEMON_PORT =
      add(TRACING, "XRAY_DAEMON_PORT", "2000", "", "X-Ray daemon UDP port.");
  public static final Variable XRAY_SAMPLING_RATE =
      add(
          TRACING,
          "XRAY_SAMPLING_RATE",
          "0.05",
          "",
          "X-Ray sampling rate from 0 to 1; other than 0.05 writes a sampling-rules manifest with"
              + " the rate as given (App Mesh's agent rounded it to two decimals).");
  public static final Variable XRAY_SAMPLING_RULE_MANIFEST =
      add(
          TRACING,
          "XRAY_SAMPLING_RULE_MANIFEST",
          null,
          "unset",
          "User X-Ray sampling-rules manifest (version 2).");
  public static final Variable MESHBOOT_XRAY_SAMPLING_RULES_FILE =
      add(
          TRACING,
          "MESHBOOT_XRAY_SAMPLING_RULES_FILE",
          "/tmp/meshboot_xray_sampling_rules.json",
          "",
          "Where meshboot writes the sampling-rules manifest for XRAY_SAMPLING_RATE.");
  public static final Variable ENABLE_ENVOY_DATADOG_TRACING =
      add(TRACING, "ENABLE_ENVOY_DATADOG_TRACING", "false", "", "Trace with Datadog.");
  public static final Variable DATADOG_TRACER_ADDRESS =
      add(TRACING, "DATADOG_TRACER_ADDRESS", "127.0.0.1", "", "Datadog agent address.");
  public static final Variable DATADOG_TRACER_PORT =
      add(TRACING, "DATADOG_TRACER_PORT", "8126", "", "Datadog agent port.");
  public static final Variable DD_SERVICE =
      add(TRACING, "DD_SERVICE", null, "envoy-<mesh>/<name>", "Datadog service name.");
  public static final Variable ENABLE_ENVOY_JAEGER_TRACING =
      add(
          TRACING,
          "ENABLE_ENVOY_JAEGER_TRACING",
          "false",
          "",
          "Trace with Jaeger (Envoy's Zipkin tracer).");
  public static final Variable JAEGER_TRACER_ADDRESS =
      add(TRACING, "JAEGER_TRACER_ADDRESS", "127.0.0.1", "", "Jaeger collector address.");
  public static final Variable JAEGER_TRACER_PORT =
      add(TRACING, "JAEGER_TRACER_PORT", "9411", "", "Jaeger collector port.");
  public static final Variable JAEGER_TRACER_VERSION =
      add(
          TRACING,
          "JAEGER_TRACER_VERSION",
          null,
          "unset (HTTP_PROTO)",
          "Collector encoding: HTTP_JSON when it contains \"json\", else HTTP_PROTO.");
  public static final Variable ENVOY_TRACING_CFG_FILE =
      add(
          TRACING,
          "ENVOY_TRACING_CFG_FILE",
          null,
          "unset",
          "File holding tracing (the three tracer switches are then ignored), merged like"
              + " ENVOY_RESOURCES_CONFIG_FILE, so it may hold other bootstrap keys too (the"
              + " collector's cluster).");

  public static final Variable ENVOY_RESOURCES_CONFIG_FILE =
      add(
          FILES,
          "ENVOY_RESOURCES_CONFIG_FILE",
          null,
          "unset",
          "File of bootstrap keys merged last (resources appended, other keys replaced).");
  public static final Variable ENVOY_CONFIG_FILE =
      add(
          FILES,
          "ENVOY_CONFIG_FILE",
          null,
          "unset",
          "A complete bootstrap used as is (after validation); an empty file gets the generated"
              + " bootstrap (meshboot run writes it there, as App Mesh's agent did); anything else"
              + " (missing, a directory, a FIFO, unreadable) is an error.");

  public static final Variable AWS_EXECUTION_ENV =
      add(
          METADATA,
          "AWS_EXECUTION_ENV",
          null,
          "unset",
          "Set by ECS (AWS_ECS_FARGATE, AWS_ECS_EC2); reported in node metadata. AWS_ECS_EC2 also"
              + " asks EC2 instance metadata for the zone ID (node.locality); Fargate has none.");
  public static final Variable APPMESH_PLATFORM_K8S_VERSION =
      add(METADATA, "APPMESH_PLATFORM_K8S_VERSION", null, "unset", "Kubernetes version.");
  public static final Variable APPMESH_PLATFORM_K8S_POD_UID =
      add(
          METADATA,
          "APPMESH_PLATFORM_K8S_POD_UID",
          null,
          "unset",
          "Kubernetes pod UID; when set, EC2 instance metadata is asked for the availability zone"
              + " and zone ID (node.locality).");
  public static final Variable APPMESH_PLATFORM_APP_MESH_CONTROLLER_VERSION =
      add(
          METADATA,
          "APPMESH_PLATFORM_APP_MESH_CONTROLLER_VERSION",
          null,
          "unset",
          "App Mesh controller version.");
  public static final Variable APPNET_CONTAINER_IP_MAPPING =
      add(
          METADATA,
          "APPNET_CONTAINER_IP_MAPPING",
          null,
          "unset",
          "Set by ECS: a JSON object of container name to IP address; in bridge mode an IPv6"
              + " address there makes supportedIPFamilies IPv6_ONLY instead of ALL.");

  public static final Variable APPNET_ENVOY_RESTART_COUNT =
      lenient(
          add(
              PROCESS,
              "APPNET_ENVOY_RESTART_COUNT",
              "3",
              "",
              "How often a dead Envoy is restarted (0-10); meshboot then exits non-zero."),
          new Variable.Fallback(null, "10", true));
  public static final Variable MESHBOOT_RESTART_BACKOFF_MS =
      add(
          PROCESS,
          "MESHBOOT_RESTART_BACKOFF_MS",
          "500",
          "",
          "First restart delay in milliseconds; it doubles per restart, with jitter.");
  public static final Variable MESHBOOT_RESTART_BACKOFF_MAX_MS =
      add(
          PROCESS,
          "MESHBOOT_RESTART_BACKOFF_MAX_MS",
          "30000",
          "",
          "Longest restart delay in milliseconds.");
  public static final Variable MESHBOOT_RESTART_RESET_S =
      add(
          PROCESS,
          "MESHBOOT_RESTART_RESET_S",
          "300",
          "",
          "Seconds an Envoy must run for the restart budget to be refilled.");
  public static final Variable LISTENER_DRAIN_WAIT_TIME_S =
      lenient(
          add(
              PROCESS,
              "LISTENER_DRAIN_WAIT_TIME_S",
              "20",
              "",
              "Drain time on shutdown (5-110 seconds); also Envoy's --drain-time-s."),
          Variable.Fallback.DEFAULT);
  public static final Variable ENVOY_SKIP_DEPRECATED_LOGS =
      lenient(
          add(
              PROCESS,
              "ENVOY_SKIP_DEPRECATED_LOGS",
              "true",
              "",
              "Run Envoy with --skip-deprecated-logs."),
          Variable.Fallback.DEFAULT);
  public static final Variable DISABLE_HOT_RESTART =
      lenient(
          add(PROCESS, "DISABLE_HOT_RESTART", "true", "", "Run Envoy with --disable-hot-restart."),
          Variable.Fallback.DEFAULT);
  public static final Variable HC_POLL_INTERVAL_MS =
      lenient(
          add(
              PROCESS,
              "HC_POLL_INTERVAL_MS",
              "10000",
              "",
              "Envoy health poll interval (2000-30000 ms); when unset or not an integer,"
                  + " APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S seconds if that is set, as App"
                  + " Mesh's agent did."),
          Variable.Fallback.DEFAULT);
  public static final Variable HC_DISCONNECTED_TIMEOUT_S =
      lenient(
          add(
              PROCESS,
              "HC_DISCONNECTED_TIMEOUT_S",
              "604800",
              "",
              "How long a lost management connection is tolerated before health turns UNHEALTHY"
                  + " (3600-604800 s)."),
          Variable.Fallback.DEFAULT);
  public static final Variable APPNET_AGENT_ADMIN_MODE =
      lenient(
          add(
              PROCESS,
              "APPNET_AGENT_ADMIN_MODE",
              null,
              "unset (no management API)",
              "tcp (APPNET_AGENT_HTTP_BIND_ADDRESS:APPNET_AGENT_HTTP_PORT) or uds"
                  + " (APPNET_AGENT_ADMIN_UDS_PATH, mode 0600): serve meshboot's management API."),
          Variable.Fallback.to("tcp"));
  public static final Variable APPNET_AGENT_HTTP_PORT =
      lenient(
          add(PROCESS, "APPNET_AGENT_HTTP_PORT", "9902", "", "Management API port."),
          Variable.Fallback.DEFAULT);
  public static final Variable APPNET_AGENT_HTTP_BIND_ADDRESS =
      add(
          PROCESS,
          "APPNET_AGENT_HTTP_BIND_ADDRESS",
          "127.0.0.1",
          "",
          "Management API bind address (the reference binds all interfaces).");
  public static final Variable APPNET_AGENT_ADMIN_UDS_PATH =
      add(
          PROCESS,
          "APPNET_AGENT_ADMIN_UDS_PATH",
          "/var/run/ecs/appnet_admin.sock",
          "",
          "Management API socket (uds mode; created with mode 0600, parent directories too).");
  public static final Variable APPNET_AGENT_LOGGING_RESET_TIMEOUT =
      lenient(
          add(
              PROCESS,
              "APPNET_AGENT_LOGGING_RESET_TIMEOUT",
              "300",
              "",
              "Seconds until a temporary Envoy log level set through /enableLogging reverts."),
          Variable.Fallback.DEFAULT);
  public static final Variable APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S =
      lenient(
          add(
              PROCESS,
              "APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S",
              "5",
              "",
              "meshboot wait-ready: seconds between readiness checks."),
          Variable.Fallback.DEFAULT);
  public static final Variable APPNET_AGENT_POLL_ENVOY_READINESS_TIMEOUT_S =
      lenient(
          add(
              PROCESS,
              "APPNET_AGENT_POLL_ENVOY_READINESS_TIMEOUT_S",
              "180",
              "",
              "meshboot wait-ready: seconds to wait for readiness before failing."),
          Variable.Fallback.DEFAULT);
  public static final Variable MESHBOOT_BOOTSTRAP_PATH =
      add(
          PROCESS,
          "MESHBOOT_BOOTSTRAP_PATH",
          "/tmp/envoy-bootstrap.json",
          "",
          "Where meshboot run writes the bootstrap Envoy starts with.");

  public static final Variable MESHBOOT_LOG_LEVEL =
      add(
          AGENT,
          "MESHBOOT_LOG_LEVEL",
          "info",
          "",
          "meshboot's log level: debug, info, warn, error.");
  public static final Variable MESHBOOT_LOG_FORMAT =
      add(AGENT, "MESHBOOT_LOG_FORMAT", "text", "", "meshboot's log lines: text or json.");

  public static final Variable MESHBOOT_CACHE_DIR =
      add(
          AGENT,
          "MESHBOOT_CACHE_DIR",
          null,
          "$CACHE_DIRECTORY (systemd), else $XDG_CACHE_HOME/meshboot, else ~/.cache/meshboot",
          "Where (an absolute path) meshboot remembers what envoy --version said for a binary (and"
              + " bin/meshboot keeps"
              + " its AOT caches: the renderer's, and the `run` supervisor's).");

  /** Every variable, in reference order. */
  public static final List<Variable> ALL = List.copyOf(registry);

  private Variables() {}

  private static Variable add(
      Variable.Section section,
      String name,
      @Nullable String defaultValue,
      String defaultDoc,
      String description) {
    return add(section, name, Variable.optionFor(name), defaultValue, defaultDoc, description);
  }

  private static Variable add(
      Variable.Section section,
      String name,
      String option,
      @Nullable String defaultValue,
      String defaultDoc,
      String description) {
    Variable variable =
        new Variable(name, option, section, defaultValue, defaultDoc, description, null);
    registry.add(variable);
    return variable;
  }

  /**
   * Marks {@code variable} lenient: App Mesh's agent replaced a value it could not use (see {@link
   * Variable.Fallback}), so meshboot does too.
   */
  private static Variable lenient(Variable variable, Variable.Fallback fallback) {
    Variable lenient = variable.lenient(fallback);
    registry.set(registry.indexOf(variable), lenient);
    return lenient;
  }

  /**
   * The variable whose option is {@code option}, or null. Secrets have no option: a command line is
   * visible to every user of the host ({@code ps}).
   */
  public static @Nullable Variable byOption(String option) {
    for (Variable variable : ALL) {
      if (!variable.secret() && variable.option().equals(option)) {
        return variable;
      }
    }
    return null;
  }

  /** The variable called {@code name}, or null. */
  public static @Nullable Variable byName(String name) {
    for (Variable variable : ALL) {
      if (variable.name().equals(name)) {
        return variable;
      }
    }
    return null;
  }
}

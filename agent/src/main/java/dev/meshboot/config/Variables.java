package dev.meshboot.config;

import static dev.meshboot.config.Variable.Section.ADMIN;
import static dev.meshboot.config.Variable.Section.AGENT;
import static dev.meshboot.config.Variable.Section.AWS;
import static dev.meshboot.config.Variable.Section.FILES;
import static dev.meshboot.config.Variable.Section.IDENTITY;
import static dev.meshboot.config.Variable.Section.INTERCEPT;
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
      variable(IDENTITY, "APPMESH_RESOURCE_ARN")
          .defaultDoc("required")
          .describe(
              "Node id: arn:aws:appmesh:<region>:<account>:mesh/<mesh>/virtualNode/<name> (or"
                  + " virtualGateway/<name>), or the short form mesh/<mesh>/virtualNode/<name>.");
  public static final Variable APPMESH_RESOURCE_NAME =
      variable(IDENTITY, "APPMESH_RESOURCE_NAME")
          .defaultDoc("unset")
          .describe("Deprecated fallback for the node id.");
  public static final Variable APPMESH_VIRTUAL_NODE_NAME =
      variable(IDENTITY, "APPMESH_VIRTUAL_NODE_NAME")
          .defaultDoc("unset")
          .describe("Deprecated fallback for the node id, after APPMESH_RESOURCE_NAME.");
  public static final Variable APPMESH_RESOURCE_CLUSTER =
      variable(IDENTITY, "APPMESH_RESOURCE_CLUSTER")
          .defaultDoc("the node id")
          .describe("Envoy node.cluster.");
  public static final Variable APPMESH_VIRTUAL_NODE_CLUSTER =
      variable(IDENTITY, "APPMESH_VIRTUAL_NODE_CLUSTER")
          .defaultDoc("unset")
          .describe("Deprecated fallback for APPMESH_RESOURCE_CLUSTER.");
  public static final Variable AWS_REGION =
      variable(IDENTITY, "AWS_REGION")
          .defaultDoc("AWS_DEFAULT_REGION, then ECS task metadata, then EC2 instance metadata")
          .describe(
              "Region of the App Mesh management endpoint; not needed for an explicit non-AWS or"
                  + " unix:// endpoint.");
  public static final Variable AWS_DEFAULT_REGION =
      variable(IDENTITY, "AWS_DEFAULT_REGION")
          .defaultDoc("unset")
          .describe("Region when AWS_REGION is unset.");
  public static final Variable APPMESH_XDS_ENDPOINT =
      variable(IDENTITY, "APPMESH_XDS_ENDPOINT")
          .defaultDoc("the regional App Mesh endpoint")
          .describe("Management (xDS) endpoint as host:port, or unix:///path for a local server.");
  public static final Variable APPMESH_PREVIEW =
      variable(IDENTITY, "APPMESH_PREVIEW")
          .defaultValue("false")
          .describe("Use the preview endpoint and signing name appmesh-preview.");
  public static final Variable APPMESH_DUALSTACK_ENDPOINT =
      variable(IDENTITY, "APPMESH_DUALSTACK_ENDPOINT")
          .defaultValue("false")
          .describe("Use the dual-stack endpoint.");
  public static final Variable APPMESH_FIPS_ENDPOINT =
      variable(IDENTITY, "APPMESH_FIPS_ENDPOINT")
          .defaultDoc("detected from envoy --version")
          .describe("Use the FIPS endpoint (GovCloud and ISO regions require a FIPS Envoy build).");
  public static final Variable APPMESH_SIGNING_NAME =
      variable(IDENTITY, "APPMESH_SIGNING_NAME")
          .defaultDoc("appmesh (appmesh-preview with APPMESH_PREVIEW)")
          .describe("SigV4 service name of the management endpoint.");
  public static final Variable MESHBOOT_XDS_MODE =
      variable(IDENTITY, "MESHBOOT_XDS_MODE")
          .defaultValue("auto")
          .describe(
              "How Envoy reaches the management endpoint: auto, relay (through meshboot, which signs),"
                  + " aws-iam (Envoy <= 1.34 signs) or direct (no signing).");
  public static final Variable MESHBOOT_XDS_RELAY_SOCKET =
      variable(IDENTITY, "MESHBOOT_XDS_RELAY_SOCKET")
          .defaultValue("/tmp/meshboot_xds_relay.sock")
          .describe(
              "Unix socket of meshboot's xDS relay, which Envoy's ADS connects to in relay mode.");
  public static final Variable MESHBOOT_XDS_TLS =
      variable(IDENTITY, "MESHBOOT_XDS_TLS")
          .defaultValue("false")
          .describe(
              "Direct and relay modes: connect to a host:port endpoint that is not AWS's with TLS"
                  + " (SNI = host; App Mesh endpoints always use TLS).");
  public static final Variable MESHBOOT_XDS_CA_FILE =
      variable(IDENTITY, "MESHBOOT_XDS_CA_FILE")
          .defaultDoc("the system CA bundle")
          .describe("CA certificates that verify the management endpoint's TLS certificate.");
  public static final Variable MESHBOOT_XDS_CACHE =
      variable(IDENTITY, "MESHBOOT_XDS_CACHE")
          .defaultValue("true")
          .describe(
              "Relay mode: keep the configuration Envoy accepted on disk and serve it while the"
                  + " management endpoint cannot be reached.");
  public static final Variable MESHBOOT_XDS_CACHE_DIR =
      variable(IDENTITY, "MESHBOOT_XDS_CACHE_DIR")
          .defaultDoc("$MESHBOOT_CACHE_DIR/xds")
          .describe(
              "Directory (an absolute path) of the last-known-good xDS cache (files 0600, one directory"
                  + " per node id and"
                  + " endpoint); a volume that outlives the container keeps it across restarts.");
  public static final Variable MESHBOOT_MESH =
      variable(IDENTITY, "MESHBOOT_MESH")
          .option("--mesh")
          .defaultDoc("unset")
          .describe(
              "Directory (or file) of App Mesh resource definitions: meshboot run serves this"
                  + " node's configuration from it itself (the embedded control plane, watched for"
                  + " changes), and Envoy's ADS goes to MESHBOOT_MESH_SOCKET; excludes"
                  + " APPMESH_XDS_ENDPOINT.");
  public static final Variable MESHBOOT_MESH_SOCKET =
      variable(IDENTITY, "MESHBOOT_MESH_SOCKET")
          .defaultValue("/tmp/meshboot_mesh.sock")
          .describe("Unix socket of the embedded control plane (MESHBOOT_MESH), mode 0600.");
  public static final Variable ENVOY_BIN =
      variable(IDENTITY, "ENVOY_BIN")
          .option("--envoy")
          .defaultDoc("envoy on PATH, then /usr/bin/envoy")
          .describe(
              "Envoy binary whose --version decides the auto mode and FIPS, and that validates.");

  public static final Variable AWS_ACCESS_KEY_ID =
      variable(AWS, "AWS_ACCESS_KEY_ID")
          .defaultDoc("unset")
          .describe("Static credentials: the access key id.");
  public static final Variable AWS_SECRET_ACCESS_KEY =
      variable(AWS, "AWS_SECRET_ACCESS_KEY")
          .defaultDoc("unset")
          .describe("Static credentials: the secret key (never echoed in messages).");
  public static final Variable AWS_SESSION_TOKEN =
      variable(AWS, "AWS_SESSION_TOKEN")
          .defaultDoc("unset")
          .describe(
              "Static credentials: the session token of temporary credentials (never echoed).");
  public static final Variable AWS_PROFILE =
      variable(AWS, "AWS_PROFILE")
          .defaultValue("default")
          .describe("Profile of the shared config and credentials files.");
  public static final Variable AWS_CONFIG_FILE =
      variable(AWS, "AWS_CONFIG_FILE").defaultDoc("~/.aws/config").describe("Shared config file.");
  public static final Variable AWS_SHARED_CREDENTIALS_FILE =
      variable(AWS, "AWS_SHARED_CREDENTIALS_FILE")
          .defaultDoc("~/.aws/credentials")
          .describe("Shared credentials file.");
  public static final Variable AWS_WEB_IDENTITY_TOKEN_FILE =
      variable(AWS, "AWS_WEB_IDENTITY_TOKEN_FILE")
          .defaultDoc("unset")
          .describe(
              "Web identity (EKS IRSA): the token file, re-read at every refresh; needs AWS_ROLE_ARN.");
  public static final Variable AWS_ROLE_ARN =
      variable(AWS, "AWS_ROLE_ARN")
          .defaultDoc("unset")
          .describe("Web identity (EKS IRSA): the role to assume.");
  public static final Variable AWS_ROLE_SESSION_NAME =
      variable(AWS, "AWS_ROLE_SESSION_NAME")
          .defaultValue("meshboot")
          .describe("Web identity (EKS IRSA): the role session name.");
  public static final Variable AWS_CONTAINER_CREDENTIALS_RELATIVE_URI =
      variable(AWS, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
          .defaultDoc("unset")
          .describe(
              "ECS task role: path of the credentials endpoint on 169.254.170.2 (set by ECS).");
  public static final Variable AWS_CONTAINER_CREDENTIALS_FULL_URI =
      variable(AWS, "AWS_CONTAINER_CREDENTIALS_FULL_URI")
          .defaultDoc("unset")
          .describe(
              "Container credentials endpoint (EKS Pod Identity); http only to loopback or the ECS"
                  + " and EKS link-local addresses.");
  public static final Variable AWS_CONTAINER_AUTHORIZATION_TOKEN =
      variable(AWS, "AWS_CONTAINER_AUTHORIZATION_TOKEN")
          .defaultDoc("unset")
          .describe("Authorization header for the container credentials endpoint (never echoed).");
  public static final Variable AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE =
      variable(AWS, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
          .defaultDoc("unset")
          .describe(
              "File holding that header, re-read at every refresh (EKS Pod Identity); wins over"
                  + " AWS_CONTAINER_AUTHORIZATION_TOKEN.");
  public static final Variable AWS_EC2_METADATA_DISABLED =
      variable(AWS, "AWS_EC2_METADATA_DISABLED")
          .defaultDoc("false")
          .describe(
              "true: never ask EC2 instance metadata (region, availability zone, instance profile"
                  + " credentials); set it off EC2 where the region is not given.");
  public static final Variable AWS_EC2_METADATA_SERVICE_ENDPOINT =
      variable(AWS, "AWS_EC2_METADATA_SERVICE_ENDPOINT")
          .defaultDoc("http://169.254.169.254")
          .describe(
              "EC2 instance metadata (IMDSv2) endpoint; when set, it is also asked for the availability"
                  + " zone and zone ID (node metadata, node.locality).");
  public static final Variable ECS_CONTAINER_METADATA_URI_V4 =
      variable(AWS, "ECS_CONTAINER_METADATA_URI_V4")
          .defaultDoc("unset")
          .describe(
              "ECS task metadata v4 endpoint (set by ECS); its /task gives the region (from the"
                  + " availability zone) and the node metadata's cluster, task, limits and zone.");
  public static final Variable MESHBOOT_ASSUME_ROLE_ARN =
      variable(AWS, "MESHBOOT_ASSUME_ROLE_ARN")
          .defaultDoc("unset")
          .describe(
              "Assume this role (STS AssumeRole) with the credentials found, e.g. for a mesh shared"
                  + " from another account.");
  public static final Variable MESHBOOT_ASSUME_ROLE_EXTERNAL_ID =
      variable(AWS, "MESHBOOT_ASSUME_ROLE_EXTERNAL_ID")
          .defaultDoc("unset")
          .describe("External id the assumed role's trust policy asks for.");
  public static final Variable MESHBOOT_ASSUME_ROLE_SESSION_NAME =
      variable(AWS, "MESHBOOT_ASSUME_ROLE_SESSION_NAME")
          .defaultValue("meshboot")
          .describe("Session name of the assumed role (2-64 of A-Z a-z 0-9 =,.@-_).");
  public static final Variable MESHBOOT_ASSUME_ROLE_DURATION_S =
      variable(AWS, "MESHBOOT_ASSUME_ROLE_DURATION_S")
          .defaultValue("3600")
          .describe(
              "Lifetime of the assumed role's credentials (900-43200 s); refreshed before expiry.");
  public static final Variable MESHBOOT_STS_ENDPOINT =
      variable(AWS, "MESHBOOT_STS_ENDPOINT")
          .defaultDoc("the regional STS endpoint")
          .describe("STS endpoint URL (a VPC endpoint, or a test server).");

  public static final Variable ENVOY_ADMIN_MODE =
      variable(ADMIN, "ENVOY_ADMIN_MODE")
          .defaultValue("tcp")
          .lenient(Variable.Fallback.DEFAULT)
          .describe("tcp or uds: where Envoy's admin listens.");
  public static final Variable ENVOY_ADMIN_ACCESS_PORT =
      variable(ADMIN, "ENVOY_ADMIN_ACCESS_PORT")
          .defaultValue("9901")
          .describe("Envoy admin port (tcp mode).");
  public static final Variable ENVOY_ADMIN_ACCESS_ENABLE_IPV6 =
      variable(ADMIN, "ENVOY_ADMIN_ACCESS_ENABLE_IPV6")
          .defaultValue("false")
          .describe(
              "Bind admin on IPv6: ::1 by default; with ENVOY_ADMIN_ACCESS_BIND_ADDRESS=:: it also"
                  + " accepts IPv4.");
  public static final Variable ENVOY_ADMIN_ACCESS_BIND_ADDRESS =
      variable(ADMIN, "ENVOY_ADMIN_ACCESS_BIND_ADDRESS")
          .defaultDoc("127.0.0.1 (::1 with IPv6)")
          .describe(
              "Admin bind address. The reference binds all interfaces; meshboot binds loopback.");
  public static final Variable ENVOY_ADMIN_UDS_PATH =
      variable(ADMIN, "ENVOY_ADMIN_UDS_PATH")
          .defaultValue("/tmp/envoy_admin.sock")
          .describe("Admin socket (uds mode).");
  public static final Variable MESHBOOT_METRICS_LISTENER =
      variable(ADMIN, "MESHBOOT_METRICS_LISTENER")
          .defaultDoc("true when the admin listens on loopback or a unix socket")
          .describe(
              "A read-only metrics listener (an Envoy listener) on MESHBOOT_METRICS_ADDRESS:"
                  + "MESHBOOT_METRICS_PORT that serves GET /stats/prometheus, /stats, /ready and"
                  + " /server_info from the admin, and nothing else: scrapes of <pod-ip>:9901 keep"
                  + " working while the admin stays private. false turns it off.");
  public static final Variable MESHBOOT_METRICS_ADDRESS =
      variable(ADMIN, "MESHBOOT_METRICS_ADDRESS")
          .defaultDoc("0.0.0.0 (:: with IPv4 too when ENVOY_ADMIN_ACCESS_ENABLE_IPV6 is true)")
          .describe(
              "Bind address of the metrics listener (an IP literal); never the admin's own"
                  + " address on the admin's port.");
  public static final Variable MESHBOOT_METRICS_PORT =
      variable(ADMIN, "MESHBOOT_METRICS_PORT")
          .defaultDoc("ENVOY_ADMIN_ACCESS_PORT")
          .describe("Port of the metrics listener.");
  public static final Variable ENVOY_ADMIN_ACCESS_LOG_FILE =
      variable(ADMIN, "ENVOY_ADMIN_ACCESS_LOG_FILE")
          .defaultValue("/tmp/envoy_admin_access.log")
          .describe("Access log of the admin interface.");
  public static final Variable ENVOY_LOG_LEVEL =
      variable(ADMIN, "ENVOY_LOG_LEVEL")
          .defaultValue("info")
          .lenient(Variable.Fallback.DEFAULT)
          .describe("Envoy log level: trace, debug, info, warn, warning, error, critical or off.");
  public static final Variable ENVOY_INITIAL_FETCH_TIMEOUT =
      variable(ADMIN, "ENVOY_INITIAL_FETCH_TIMEOUT")
          .defaultValue("0")
          .describe("Seconds Envoy waits for the first LDS and CDS response (0 = forever).");
  public static final Variable ENVOY_CONCURRENCY =
      variable(ADMIN, "ENVOY_CONCURRENCY")
          .defaultDoc("from the container CPU quota")
          .lenient(Variable.Fallback.DEFAULT)
          .describe("Envoy worker threads (--concurrency).");
  public static final Variable ENVOY_OUTLIER_DETECTION_EVENT_LOG_PATH =
      variable(ADMIN, "ENVOY_OUTLIER_DETECTION_EVENT_LOG_PATH")
          .defaultValue("/dev/stdout")
          .describe("cluster_manager.outlier_detection.event_log_path.");
  public static final Variable APPMESH_SDS_SOCKET_PATH =
      variable(ADMIN, "APPMESH_SDS_SOCKET_PATH")
          .defaultDoc("unset")
          .describe(
              "Unix socket of an SDS agent (such as SPIRE); adds cluster"
                  + " static_cluster_sds_unix_socket.");
  public static final Variable MAX_REQUESTS_PER_IO_CYCLE =
      variable(ADMIN, "MAX_REQUESTS_PER_IO_CYCLE")
          .defaultDoc("unset")
          .lenient(new Variable.Fallback(null, null, false))
          .describe("Runtime key http.max_requests_per_io_cycle (an integer > 0).");
  public static final Variable APPMESH_SET_TRACING_DECISION =
      variable(ADMIN, "APPMESH_SET_TRACING_DECISION")
          .defaultValue("true")
          .describe(
              "Runtime key envoy.reloadable_features.http_set_tracing_decision_in_request_id (left"
                  + " out for Envoy 1.36 and later, which removed it, unless set).");
  public static final Variable ENVOY_NO_EXTENSION_LOOKUP_BY_NAME =
      variable(ADMIN, "ENVOY_NO_EXTENSION_LOOKUP_BY_NAME")
          .defaultValue("true")
          .describe(
              "Runtime key envoy.reloadable_features.no_extension_lookup_by_name (left out for Envoy"
                  + " 1.39 and later, which removed it, unless set).");
  public static final Variable ENVOY_USE_HTTP_CLIENT_TO_FETCH_AWS_CREDENTIALS =
      variable(ADMIN, "ENVOY_USE_HTTP_CLIENT_TO_FETCH_AWS_CREDENTIALS")
          .defaultValue("false")
          .describe(
              "Runtime key envoy.reloadable_features.use_http_client_to_fetch_aws_credentials (left"
                  + " out for Envoy 1.36 and later, which removed it, unless set).");

  public static final Variable ENABLE_ENVOY_STATS_TAGS =
      variable(STATS, "ENABLE_ENVOY_STATS_TAGS")
          .defaultValue("false")
          .describe("Add the fixed tags appmesh.mesh and appmesh.<kind>=<name>.");
  public static final Variable APPMESH_METRIC_EXTENSION_VERSION =
      variable(STATS, "APPMESH_METRIC_EXTENSION_VERSION")
          .defaultValue("0")
          .lenient(Variable.Fallback.DEFAULT)
          .describe("1 enables the App Mesh metric extension (node metadata and tags).");
  public static final Variable ENVOY_STATS_FLUSH_INTERVAL =
      variable(STATS, "ENVOY_STATS_FLUSH_INTERVAL")
          .defaultDoc("Envoy's 5s")
          .describe("stats_flush_interval, a duration such as 15s or 5000ms.");
  public static final Variable ENABLE_ENVOY_DOG_STATSD =
      variable(STATS, "ENABLE_ENVOY_DOG_STATSD")
          .defaultValue("false")
          .describe("Add a DogStatsD stats sink.");
  public static final Variable STATSD_ADDRESS =
      variable(STATS, "STATSD_ADDRESS")
          .defaultValue("127.0.0.1")
          .describe("DogStatsD UDP address.");
  public static final Variable STATSD_PORT =
      variable(STATS, "STATSD_PORT").defaultValue("8125").describe("DogStatsD UDP port.");
  public static final Variable STATSD_SOCKET_PATH =
      variable(STATS, "STATSD_SOCKET_PATH")
          .defaultDoc("unset")
          .describe("DogStatsD unix socket; replaces the UDP address.");
  public static final Variable ENVOY_STATS_CONFIG_FILE =
      variable(STATS, "ENVOY_STATS_CONFIG_FILE")
          .defaultDoc("unset")
          .describe(
              "File holding stats_config (it replaces the generated one), merged like"
                  + " ENVOY_RESOURCES_CONFIG_FILE, so it may hold other bootstrap keys too.");
  public static final Variable ENVOY_STATS_SINKS_CFG_FILE =
      variable(STATS, "ENVOY_STATS_SINKS_CFG_FILE")
          .defaultDoc("unset")
          .describe(
              "File holding stats_sinks (they replace the DogStatsD variables), merged like"
                  + " ENVOY_RESOURCES_CONFIG_FILE, so it may hold other bootstrap keys too (a sink's"
                  + " cluster).");

  public static final Variable ENABLE_ENVOY_XRAY_TRACING =
      variable(TRACING, "ENABLE_ENVOY_XRAY_TRACING")
          .defaultValue("false")
          .describe("Trace with AWS X-Ray.");
  public static final Variable XRAY_SEGMENT_NAME =
      variable(TRACING, "XRAY_SEGMENT_NAME")
          .defaultDoc("<mesh>/<name>")
          .describe("X-Ray segment name.");
  public static final Variable AWS_XRAY_DAEMON_ADDRESS =
      variable(TRACING, "AWS_XRAY_DAEMON_ADDRESS")
          .defaultDoc("127.0.0.1:XRAY_DAEMON_PORT")
          .describe("X-Ray daemon UDP address, ip or ip:port.");
  public static final Variable XRAY_DAEMON_PORT =
      variable(TRACING, "XRAY_DAEMON_PORT").defaultValue("2000").describe("X-Ray daemon UDP port.");
  public static final Variable XRAY_SAMPLING_RATE =
      variable(TRACING, "XRAY_SAMPLING_RATE")
          .defaultValue("0.05")
          .describe(
              "X-Ray sampling rate from 0 to 1; other than 0.05 writes a sampling-rules manifest with"
                  + " the rate as given (App Mesh's agent rounded it to two decimals).");
  public static final Variable XRAY_SAMPLING_RULE_MANIFEST =
      variable(TRACING, "XRAY_SAMPLING_RULE_MANIFEST")
          .defaultDoc("unset")
          .describe("User X-Ray sampling-rules manifest (version 2).");
  public static final Variable MESHBOOT_XRAY_SAMPLING_RULES_FILE =
      variable(TRACING, "MESHBOOT_XRAY_SAMPLING_RULES_FILE")
          .defaultValue("/tmp/meshboot_xray_sampling_rules.json")
          .describe("Where meshboot writes the sampling-rules manifest for XRAY_SAMPLING_RATE.");
  public static final Variable ENABLE_ENVOY_DATADOG_TRACING =
      variable(TRACING, "ENABLE_ENVOY_DATADOG_TRACING")
          .defaultValue("false")
          .describe("Trace with Datadog.");
  public static final Variable DATADOG_TRACER_ADDRESS =
      variable(TRACING, "DATADOG_TRACER_ADDRESS")
          .defaultValue("127.0.0.1")
          .describe("Datadog agent address.");
  public static final Variable DATADOG_TRACER_PORT =
      variable(TRACING, "DATADOG_TRACER_PORT").defaultValue("8126").describe("Datadog agent port.");
  public static final Variable DD_SERVICE =
      variable(TRACING, "DD_SERVICE")
          .defaultDoc("envoy-<mesh>/<name>")
          .describe("Datadog service name.");
  public static final Variable ENABLE_ENVOY_JAEGER_TRACING =
      variable(TRACING, "ENABLE_ENVOY_JAEGER_TRACING")
          .defaultValue("false")
          .describe("Trace with Jaeger (Envoy's Zipkin tracer).");
  public static final Variable JAEGER_TRACER_ADDRESS =
      variable(TRACING, "JAEGER_TRACER_ADDRESS")
          .defaultValue("127.0.0.1")
          .describe("Jaeger collector address.");
  public static final Variable JAEGER_TRACER_PORT =
      variable(TRACING, "JAEGER_TRACER_PORT")
          .defaultValue("9411")
          .describe("Jaeger collector port.");
  public static final Variable JAEGER_TRACER_VERSION =
      variable(TRACING, "JAEGER_TRACER_VERSION")
          .defaultDoc("unset (HTTP_PROTO)")
          .describe("Collector encoding: HTTP_JSON when it contains \"json\", else HTTP_PROTO.");
  public static final Variable ENVOY_TRACING_CFG_FILE =
      variable(TRACING, "ENVOY_TRACING_CFG_FILE")
          .defaultDoc("unset")
          .describe(
              "File holding tracing (the three tracer switches are then ignored), merged like"
                  + " ENVOY_RESOURCES_CONFIG_FILE, so it may hold other bootstrap keys too (the"
                  + " collector's cluster).");

  public static final Variable ENVOY_RESOURCES_CONFIG_FILE =
      variable(FILES, "ENVOY_RESOURCES_CONFIG_FILE")
          .defaultDoc("unset")
          .describe(
              "File of bootstrap keys merged last (resources appended, other keys replaced).");
  public static final Variable ENVOY_CONFIG_FILE =
      variable(FILES, "ENVOY_CONFIG_FILE")
          .defaultDoc("unset")
          .describe(
              "A complete bootstrap used as is (after validation); an empty file gets the generated"
                  + " bootstrap (meshboot run writes it there, as App Mesh's agent did); anything else"
                  + " (missing, a directory, a FIFO, unreadable) is an error.");

  public static final Variable AWS_EXECUTION_ENV =
      variable(METADATA, "AWS_EXECUTION_ENV")
          .defaultDoc("unset")
          .describe(
              "Set by ECS (AWS_ECS_FARGATE, AWS_ECS_EC2); reported in node metadata. AWS_ECS_EC2 also"
                  + " asks EC2 instance metadata for the zone ID (node.locality); Fargate has none.");
  public static final Variable APPMESH_PLATFORM_K8S_VERSION =
      variable(METADATA, "APPMESH_PLATFORM_K8S_VERSION")
          .defaultDoc("unset")
          .describe("Kubernetes version.");
  public static final Variable APPMESH_PLATFORM_K8S_POD_UID =
      variable(METADATA, "APPMESH_PLATFORM_K8S_POD_UID")
          .defaultDoc("unset")
          .describe(
              "Kubernetes pod UID; when set, EC2 instance metadata is asked for the availability zone"
                  + " and zone ID (node.locality).");
  public static final Variable APPMESH_PLATFORM_APP_MESH_CONTROLLER_VERSION =
      variable(METADATA, "APPMESH_PLATFORM_APP_MESH_CONTROLLER_VERSION")
          .defaultDoc("unset")
          .describe("App Mesh controller version.");
  public static final Variable APPNET_CONTAINER_IP_MAPPING =
      variable(METADATA, "APPNET_CONTAINER_IP_MAPPING")
          .defaultDoc("unset")
          .describe(
              "Set by ECS: a JSON object of container name to IP address; in bridge mode an IPv6"
                  + " address there makes supportedIPFamilies IPv6_ONLY instead of ALL.");

  public static final Variable APPNET_ENVOY_RESTART_COUNT =
      variable(PROCESS, "APPNET_ENVOY_RESTART_COUNT")
          .defaultValue("3")
          .lenient(new Variable.Fallback(null, "10", true))
          .describe("How often a dead Envoy is restarted (0-10); meshboot then exits non-zero.");
  public static final Variable MESHBOOT_RESTART_BACKOFF_MS =
      variable(PROCESS, "MESHBOOT_RESTART_BACKOFF_MS")
          .defaultValue("500")
          .describe("First restart delay in milliseconds; it doubles per restart, with jitter.");
  public static final Variable MESHBOOT_RESTART_BACKOFF_MAX_MS =
      variable(PROCESS, "MESHBOOT_RESTART_BACKOFF_MAX_MS")
          .defaultValue("30000")
          .describe("Longest restart delay in milliseconds.");
  public static final Variable MESHBOOT_RESTART_RESET_S =
      variable(PROCESS, "MESHBOOT_RESTART_RESET_S")
          .defaultValue("300")
          .describe("Seconds an Envoy must run for the restart budget to be refilled.");
  public static final Variable LISTENER_DRAIN_WAIT_TIME_S =
      variable(PROCESS, "LISTENER_DRAIN_WAIT_TIME_S")
          .defaultValue("20")
          .lenient(Variable.Fallback.DEFAULT)
          .describe("Drain time on shutdown (5-110 seconds); also Envoy's --drain-time-s.");
  public static final Variable ENVOY_SKIP_DEPRECATED_LOGS =
      variable(PROCESS, "ENVOY_SKIP_DEPRECATED_LOGS")
          .defaultValue("true")
          .lenient(Variable.Fallback.DEFAULT)
          .describe("Run Envoy with --skip-deprecated-logs.");
  public static final Variable DISABLE_HOT_RESTART =
      variable(PROCESS, "DISABLE_HOT_RESTART")
          .defaultValue("true")
          .lenient(Variable.Fallback.DEFAULT)
          .describe("Run Envoy with --disable-hot-restart.");
  public static final Variable HC_POLL_INTERVAL_MS =
      variable(PROCESS, "HC_POLL_INTERVAL_MS")
          .defaultValue("10000")
          .lenient(Variable.Fallback.DEFAULT)
          .describe(
              "Envoy health poll interval (2000-30000 ms); when unset or not an integer,"
                  + " APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S seconds if that is set, as App"
                  + " Mesh's agent did.");
  public static final Variable HC_DISCONNECTED_TIMEOUT_S =
      variable(PROCESS, "HC_DISCONNECTED_TIMEOUT_S")
          .defaultValue("604800")
          .lenient(Variable.Fallback.DEFAULT)
          .describe(
              "How long a lost management connection is tolerated before health turns UNHEALTHY"
                  + " (3600-604800 s).");
  public static final Variable APPNET_AGENT_ADMIN_MODE =
      variable(PROCESS, "APPNET_AGENT_ADMIN_MODE")
          .defaultDoc("unset (no management API)")
          .lenient(Variable.Fallback.to("tcp"))
          .describe(
              "tcp (APPNET_AGENT_HTTP_BIND_ADDRESS:APPNET_AGENT_HTTP_PORT) or uds"
                  + " (APPNET_AGENT_ADMIN_UDS_PATH, mode 0600): serve meshboot's management API.");
  public static final Variable APPNET_AGENT_HTTP_PORT =
      variable(PROCESS, "APPNET_AGENT_HTTP_PORT")
          .defaultValue("9902")
          .lenient(Variable.Fallback.DEFAULT)
          .describe("Management API port.");
  public static final Variable APPNET_AGENT_HTTP_BIND_ADDRESS =
      variable(PROCESS, "APPNET_AGENT_HTTP_BIND_ADDRESS")
          .defaultValue("127.0.0.1")
          .describe("Management API bind address (the reference binds all interfaces).");
  public static final Variable APPNET_AGENT_ADMIN_UDS_PATH =
      variable(PROCESS, "APPNET_AGENT_ADMIN_UDS_PATH")
          .defaultValue("/var/run/ecs/appnet_admin.sock")
          .describe(
              "Management API socket (uds mode; created with mode 0600, parent directories too).");
  public static final Variable APPNET_AGENT_LOGGING_RESET_TIMEOUT =
      variable(PROCESS, "APPNET_AGENT_LOGGING_RESET_TIMEOUT")
          .defaultValue("300")
          .lenient(Variable.Fallback.DEFAULT)
          .describe(
              "Seconds until a temporary Envoy log level set through /enableLogging reverts.");
  public static final Variable APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S =
      variable(PROCESS, "APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S")
          .defaultValue("5")
          .lenient(Variable.Fallback.DEFAULT)
          .describe("meshboot wait-ready: seconds between readiness checks.");
  public static final Variable APPNET_AGENT_POLL_ENVOY_READINESS_TIMEOUT_S =
      variable(PROCESS, "APPNET_AGENT_POLL_ENVOY_READINESS_TIMEOUT_S")
          .defaultValue("180")
          .lenient(Variable.Fallback.DEFAULT)
          .describe("meshboot wait-ready: seconds to wait for readiness before failing.");
  public static final Variable MESHBOOT_BOOTSTRAP_PATH =
      variable(PROCESS, "MESHBOOT_BOOTSTRAP_PATH")
          .defaultValue("/tmp/envoy-bootstrap.json")
          .describe("Where meshboot run writes the bootstrap Envoy starts with.");

  public static final Variable APPMESH_APP_PORTS =
      variable(INTERCEPT, "APPMESH_APP_PORTS")
          .defaultDoc("unset")
          .describe(
              "Comma list of the application's ports: TCP arriving for them from other hosts goes to"
                  + " APPMESH_ENVOY_INGRESS_PORT (unset: no ingress interception).");
  public static final Variable APPMESH_ENVOY_INGRESS_PORT =
      variable(INTERCEPT, "APPMESH_ENVOY_INGRESS_PORT")
          .defaultValue("15000")
          .describe("Envoy's ingress listener, where inbound TCP for APPMESH_APP_PORTS goes.");
  public static final Variable APPMESH_ENVOY_EGRESS_PORT =
      variable(INTERCEPT, "APPMESH_ENVOY_EGRESS_PORT")
          .defaultValue("15001")
          .describe("Envoy's egress listener, where the application's outbound TCP goes.");
  public static final Variable APPMESH_IGNORE_UID =
      variable(INTERCEPT, "APPMESH_IGNORE_UID")
          .defaultValue("1337")
          .describe(
              "Numeric user id whose outbound traffic is not intercepted: Envoy's, so that Envoy's"
                  + " own connections are not sent back to it.");
  public static final Variable APPMESH_IGNORE_GID =
      variable(INTERCEPT, "APPMESH_IGNORE_GID")
          .defaultDoc("unset")
          .describe("Numeric group id whose outbound traffic is not intercepted either.");
  public static final Variable APPMESH_EGRESS_IGNORED_IP =
      variable(INTERCEPT, "APPMESH_EGRESS_IGNORED_IP")
          .defaultValue("169.254.169.254,169.254.170.2")
          .describe(
              "Comma list of addresses or CIDR blocks (IPv4, and IPv6 with APPMESH_ENABLE_IPV6)"
                  + " reached directly, not through Envoy: by default instance metadata and ECS's"
                  + " task metadata and credentials.");
  public static final Variable APPMESH_EGRESS_IGNORED_PORTS =
      variable(INTERCEPT, "APPMESH_EGRESS_IGNORED_PORTS")
          .defaultDoc("22")
          .describe(
              "Comma list of destination ports reached directly, not through Envoy; 22 (SSH) is"
                  + " always added, as App Mesh did.");
  public static final Variable APPMESH_ENABLE_IPV6 =
      variable(INTERCEPT, "APPMESH_ENABLE_IPV6")
          .defaultValue("false")
          .describe("Intercept IPv6 too, with the same rules in ip6tables.");

  public static final Variable MESHBOOT_LOG_LEVEL =
      variable(AGENT, "MESHBOOT_LOG_LEVEL")
          .defaultValue("info")
          .describe("meshboot's log level: debug, info, warn, error.");
  public static final Variable MESHBOOT_LOG_FORMAT =
      variable(AGENT, "MESHBOOT_LOG_FORMAT")
          .defaultValue("text")
          .describe("meshboot's log lines: text or json.");

  public static final Variable MESHBOOT_CACHE_DIR =
      variable(AGENT, "MESHBOOT_CACHE_DIR")
          .defaultDoc(
              "$CACHE_DIRECTORY (systemd), else $XDG_CACHE_HOME/meshboot, else ~/.cache/meshboot")
          .describe(
              "Where (an absolute path) meshboot remembers what envoy --version said for a binary"
                  + " and the bootstrap a validated ENVOY_CONFIG_FILE was written as (0600; `run`"
                  + " does not validate the same file again), bin/meshboot keeps its AOT caches"
                  + " (the renderer's, the `run` supervisor's, the control plane's), and `run`"
                  + " keeps launch records (0600, the newest 16: with the same arguments,"
                  + " environment and files, bin/meshboot starts Envoy from one before the JVM).");

  /** Every variable, in reference order. */
  public static final List<Variable> ALL = List.copyOf(registry);

  private Variables() {}

  /** Declares a variable of {@code section}; {@link Builder#describe} registers it. */
  private static Builder variable(Variable.Section section, String name) {
    return new Builder(section, name);
  }

  /** A variable being declared, part by named part. */
  private static final class Builder {
    private final Variable.Section section;
    private final String name;
    private String option;
    private @Nullable String defaultValue;
    private String defaultDoc = "";
    private Variable.@Nullable Fallback fallback;

    Builder(Variable.Section section, String name) {
      this.section = section;
      this.name = name;
      this.option = Variable.optionFor(name);
    }

    /** Another option than {@code --name-in-lower-case}. */
    Builder option(String given) {
      this.option = given;
      return this;
    }

    /** The value used when unset or blank, parsed like any other value. */
    Builder defaultValue(String value) {
      this.defaultValue = value;
      return this;
    }

    /** What the reference says the default is, when there is no literal default value. */
    Builder defaultDoc(String doc) {
      this.defaultDoc = doc;
      return this;
    }

    /** App Mesh's agent replaced values it could not use: meshboot does too (with a warning). */
    Builder lenient(Variable.Fallback given) {
      this.fallback = given;
      return this;
    }

    /** The sentence for {@code --help} and the README; registers the variable. */
    Variable describe(String description) {
      Variable variable =
          new Variable(name, option, section, defaultValue, defaultDoc, description, fallback);
      registry.add(variable);
      return variable;
    }
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

package dev.meshboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code meshboot mesh validate}: a summary and exit 0, or every error and exit 4. Each class of
 * error a definition can have, as the command prints it; the loader's tests (MeshErrorsTest,
 * MeshRulesCases, HostileDefinitionsTest) hold every message of each class.
 */
class MeshValidateTest {

  /** In {@link #write}: a FIFO without a writer, which a reader waiting for data would hang on. */
  private static final String FIFO = "\u0000fifo";

  /** In {@link #write}: a sparse file one byte larger than the loader reads. */
  private static final String HUGE = "\u0000huge";

  /**
   * A valid mesh as users keep it, JSON and YAML: cart calls payments.shop.local, which router
   * payments-router sends to node payments.
   */
  private static Map<String, String> base() {
    Map<String, String> files = new LinkedHashMap<>();
    files.put(
        "mesh.json",
        "{\"meshName\": \"shop\", \"spec\": {\"egressFilter\": {\"type\": \"DROP_ALL\"}}}");
    files.put(
        "nodes/cart.json",
        """
        {"meshName": "shop", "virtualNodeName": "cart",
         "spec": {"listeners": [{"portMapping": {"port": 8080, "protocol": "http"}}],
                  "serviceDiscovery": {"dns": {"hostname": "cart.shop.local"}},
                  "backends": [{"virtualService": {"virtualServiceName": "payments.shop.local"}}]}}
        """);
    files.put(
        "nodes/payments.yaml",
        """
        meshName: shop
        virtualNodeName: payments
        spec:
          listeners: [{portMapping: {port: 8080, protocol: http}}]
          serviceDiscovery: {dns: {hostname: payments.shop.local}}
        """);
    files.put(
        "routing.yaml",
        """
        meshName: shop
        virtualServiceName: payments.shop.local
        spec: {provider: {virtualRouter: {virtualRouterName: payments-router}}}
        ---
        meshName: shop
        virtualRouterName: payments-router
        spec: {listeners: [{portMapping: {port: 8080, protocol: http}}]}
        ---
        meshName: shop
        virtualRouterName: payments-router
        routeName: default
        spec:
          httpRoute:
            match: {prefix: /}
            action: {weightedTargets: [{virtualNode: payments, weight: 1}]}
        """);
    return files;
  }

  private static final String CART = "nodes/cart.json: virtualNode cart in mesh shop: ";
  private static final String PAYMENTS = "nodes/payments.yaml: virtualNode payments in mesh shop: ";
  private static final String ROUTE =
      "routing.yaml (document 3): route default of virtualRouter payments-router in mesh shop: ";

  /** Each class of error: the files changed in the base definition, and the errors printed. */
  static Stream<Arguments> errorClasses() {
    List<Arguments> cases = new ArrayList<>();
    cases.add(
        c(
            "an unknown member",
            Map.of(
                "nodes/payments.yaml",
                base().get("nodes/payments.yaml").replace("portMapping", "portMaping")),
            PAYMENTS
                + "$.spec.listeners[0].portMaping: unknown member; expected one of connectionPool,"
                + " healthCheck, outlierDetection, portMapping, timeout, tls",
            PAYMENTS + "$.spec.listeners[0].portMapping: required but missing"));
    cases.add(
        c(
            "a missing required member",
            Map.of("routing.yaml", base().get("routing.yaml").replace("match: {prefix: /}\n", "")),
            ROUTE + "$.spec.httpRoute.match: required but missing"));
    cases.add(
        c(
            "a value outside an enum",
            Map.of("mesh.json", base().get("mesh.json").replace("DROP_ALL", "DROP_SOME")),
            "mesh.json: mesh shop: $.spec.egressFilter.type: expected one of ALLOW_ALL, DROP_ALL"
                + " but got \"DROP_SOME\""));
    cases.add(
        c(
            "a number out of range",
            Map.of("routing.yaml", base().get("routing.yaml").replace("weight: 1", "weight: 101")),
            ROUTE
                + "$.spec.httpRoute.action.weightedTargets[0].weight: expected 0 to 100 but got 101"));
    cases.add(
        c(
            "a reference to a resource not defined",
            Map.of(
                "nodes/cart.json",
                base().get("nodes/cart.json").replace("payments.shop.local", "orders.shop.local")),
            CART
                + "$.spec.backends[0].virtualService.virtualServiceName: virtualService"
                + " \"orders.shop.local\" is not defined in mesh shop"));
    cases.add(
        c(
            "a route of another protocol than its router's listener (aws/aws-app-mesh-roadmap#82)",
            Map.of("routing.yaml", base().get("routing.yaml").replace("httpRoute", "http2Route")),
            ROUTE
                + "$.spec.http2Route: virtualRouter payments-router has no http2 listener (its"
                + " listeners: http 8080); an http2Route needs one (aws/aws-app-mesh-roadmap#82)",
            ROUTE
                + "$.spec.http2Route.action.weightedTargets[0].virtualNode: virtualNode payments"
                + " listens on port 8080 with http, not http2: an http2Route needs targets of its"
                + " protocol (App Mesh sent such traffic nowhere: aws/aws-app-mesh-roadmap#82)"));
    cases.add(
        c(
            "a name defined twice",
            Map.of(
                "nodes/payments-v2.json",
                """
                {"meshName": "shop", "virtualNodeName": "payments",
                 "spec": {"listeners": [{"portMapping": {"port": 8080, "protocol": "http"}}],
                          "serviceDiscovery": {"dns": {"hostname": "payments-v2.shop.local"}}}}
                """),
            "nodes/payments.yaml: virtualNode payments in mesh shop: $.virtualNodeName: defined"
                + " again; the first definition is in @DIR@/nodes/payments-v2.json"));
    cases.add(
        c(
            "a file that is not JSON",
            Map.of("notes.json", "payments: see the wiki"),
            "notes.json: not valid JSON: not strict JSON (comments, single quotes, unquoted text,"
                + " NaN or trailing data) at line 1 column 1 path $"));
    cases.add(
        c(
            "a file that is not YAML",
            Map.of("more.yaml", "meshName: shop\n  virtualNodeName: [x\n"),
            "more.yaml: not valid YAML or JSON: mapping values are not allowed here at line 2"
                + " column 18"));
    cases.add(
        c(
            "a file that cannot be parsed, whose resources others name",
            Map.of(
                "nodes/payments.yaml",
                base().get("nodes/payments.yaml").replace("listeners: [{", "listeners: [{{")),
            "nodes/payments.yaml: not valid YAML or JSON: expected ',' or '}', but got ] at line 4"
                + " column 59 (while parsing a flow mapping at line 4 column 15)",
            ROUTE
                + "$.spec.httpRoute.action.weightedTargets[0].virtualNode: virtualNode \"payments\""
                + " is not defined in mesh shop; a file that could not be read may define it"));
    cases.add(
        c(
            "a FIFO",
            Map.of("pipe.json", FIFO),
            "mesh definition: pipe.json is not a regular file (a FIFO, socket or device); name a"
                + " file"));
    cases.add(
        c(
            "a huge file",
            Map.of("huge.json", HUGE),
            "mesh definition: huge.json is larger than meshboot reads for it (8192 KiB)"));
    cases.add(
        c(
            "deep YAML",
            Map.of("deep.yaml", "a: " + "[".repeat(10_000) + "]".repeat(10_000)),
            "deep.yaml: nested deeper than 100 levels, more than meshboot reads"));
    return cases.stream();
  }

  private static Arguments c(String name, Map<String, String> changes, String... errors) {
    return Arguments.of(name, changes, List.of(errors));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errorClasses")
  void printsTheErrorAndExits4(
      String name, Map<String, String> changes, List<String> errors, @TempDir Path dir)
      throws Exception {
    Map<String, String> files = base();
    files.putAll(changes);
    write(dir, files);
    assertRefused(dir, errors);
  }

  /**
   * One directory with errors of every class in several files: every error is printed, in a stable
   * order (files that cannot be read, files that cannot be parsed, then file by file and document
   * by document), and nothing is accepted.
   */
  @Test
  void printsEveryErrorOfEveryFile(@TempDir Path dir) throws Exception {
    Map<String, String> files = base();
    errorClasses()
        .map(Arguments::get)
        // These change files that other cases change.
        .filter(
            c ->
                !c[0].toString().startsWith("a number")
                    && !c[0].toString().startsWith("a route")
                    && !c[0].toString().startsWith("a file that cannot be parsed"))
        .forEach(
            c -> {
              @SuppressWarnings("unchecked")
              Map<String, String> changes = (Map<String, String>) c[1];
              files.putAll(changes);
            });
    write(dir, files);
    assertRefused(
        dir,
        List.of(
            "mesh definition: huge.json is larger than meshboot reads for it (8192 KiB)",
            "mesh definition: pipe.json is not a regular file (a FIFO, socket or device); name a"
                + " file",
            "deep.yaml: nested deeper than 100 levels, more than meshboot reads",
            "more.yaml: not valid YAML or JSON: mapping values are not allowed here at line 2"
                + " column 18",
            "notes.json: not valid JSON: not strict JSON (comments, single quotes, unquoted text,"
                + " NaN or trailing data) at line 1 column 1 path $",
            "mesh.json: mesh shop: $.spec.egressFilter.type: expected one of ALLOW_ALL, DROP_ALL"
                + " but got \"DROP_SOME\"",
            CART
                + "$.spec.backends[0].virtualService.virtualServiceName: virtualService"
                + " \"orders.shop.local\" is not defined in mesh shop; a file that could not be read"
                + " may define it",
            PAYMENTS
                + "$.spec.listeners[0].portMaping: unknown member; expected one of connectionPool,"
                + " healthCheck, outlierDetection, portMapping, timeout, tls",
            PAYMENTS + "$.spec.listeners[0].portMapping: required but missing",
            PAYMENTS
                + "$.virtualNodeName: defined again; the first definition is in"
                + " @DIR@/nodes/payments-v2.json",
            ROUTE + "$.spec.httpRoute.match: required but missing"));
  }

  private static void assertRefused(Path dir, List<String> errors) {
    CliTest.Result result = CliTest.run(Map.of(), "mesh", "validate", dir.toString());
    assertThat(result.code()).isEqualTo(ExitCode.INVALID.code());
    assertThat(result.out()).isEmpty();
    StringBuilder err = new StringBuilder();
    for (String error : errors) {
      String line =
          error.startsWith("mesh definition: ")
              ? error.replace("mesh definition: ", "mesh definition: " + dir + "/")
              : dir + "/" + error;
      err.append(line.replace("@DIR@", dir.toString())).append('\n');
    }
    err.append("meshboot: ")
        .append(dir)
        .append(" is not a valid mesh definition (")
        .append(errors.size())
        .append(errors.size() == 1 ? " error)\n" : " errors)\n");
    assertThat(result.err()).isEqualTo(err.toString());
  }

  private static void write(Path dir, Map<String, String> files) throws Exception {
    for (Map.Entry<String, String> file : files.entrySet()) {
      Path path = dir.resolve(file.getKey());
      Files.createDirectories(path.getParent());
      if (file.getValue().equals(FIFO)) {
        Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).start();
        assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(mkfifo.exitValue()).isZero();
      } else if (file.getValue().equals(HUGE)) {
        try (RandomAccessFile huge = new RandomAccessFile(path.toFile(), "rw")) {
          huge.setLength((8L << 20) + 1);
        }
      } else {
        Files.writeString(path, file.getValue());
      }
    }
  }

  @Test
  void theBaseDefinitionIsValid(@TempDir Path dir) throws Exception {
    write(dir, base());
    CliTest.Result result = CliTest.run(Map.of(), "mesh", "validate", dir.toString());
    assertThat(result.err()).isEmpty();
    assertThat(result.out())
        .isEqualTo(
            dir
                + ": valid: 1 mesh, 2 virtual nodes, 1 virtual service, 1 virtual router, 1 route,"
                + " 0 virtual gateways, 0 gateway routes\n");
  }

  @Test
  void summarizesAValidDefinition() {
    CliTest.Result result =
        CliTest.run(Map.of(), "mesh", "validate", "../examples/appmesh-workshop");
    assertThat(result.err()).isEmpty();
    assertThat(result.code()).isZero();
    assertThat(result.out())
        .isEqualTo(
            "../examples/appmesh-workshop: valid: 1 mesh, 4 virtual nodes, 3 virtual services, 1"
                + " virtual router, 2 routes, 0 virtual gateways, 0 gateway routes\n");
  }

  @Test
  void printsEveryErrorAndExits4(@TempDir Path dir) throws IOException {
    Files.writeString(
        dir.resolve("mesh.yaml"),
        """
        meshName: m
        spec: {egressFilter: {type: DROP_SOME}}
        ---
        meshName: m
        virtualServiceName: s.local
        spec: {provider: {virtualNode: {virtualNodeName: missing}}}
        """);
    CliTest.Result result = CliTest.run(Map.of(), "mesh", "validate", dir.toString());
    assertThat(result.code()).isEqualTo(ExitCode.INVALID.code());
    assertThat(result.out()).isEmpty();
    assertThat(result.err())
        .isEqualTo(
            dir
                + "/mesh.yaml: mesh m: $.spec.egressFilter.type: expected one of ALLOW_ALL, DROP_ALL"
                + " but got \"DROP_SOME\"\n"
                + dir
                + "/mesh.yaml (document 2): virtualService s.local in mesh m:"
                + " $.spec.provider.virtualNode.virtualNodeName: virtualNode \"missing\" is not"
                + " defined in mesh m\n"
                + "meshboot: "
                + dir
                + " is not a valid mesh definition (2 errors)\n");
  }

  @Test
  void takesOneDirectoryOrFile() {
    CliTest.Result none = CliTest.run(Map.of(), "mesh", "validate");
    assertThat(none.code()).isEqualTo(ExitCode.USAGE.code());
    assertThat(none.err())
        .startsWith("meshboot: mesh validate takes one directory or file of App Mesh resources");
    assertThat(CliTest.run(Map.of(), "mesh", "validate", "a", "b").code())
        .isEqualTo(ExitCode.USAGE.code());
    assertThat(CliTest.run(Map.of(), "mesh", "validate", "--strict").code())
        .isEqualTo(ExitCode.USAGE.code());
  }
}

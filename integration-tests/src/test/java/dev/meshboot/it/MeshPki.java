package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A certificate authority made with the JDK's keytool, and certificates it issues as the PEM files
 * Envoy reads (certificate chain, PKCS #8 private key): what a mesh's {@code file} certificates and
 * trust point to.
 *
 * @param dir where the files are
 * @param caFile the CA's certificate in PEM
 */
record MeshPki(Path dir, Path caFile) {

  private static final String PASSWORD = "changeit";

  /** A certificate and its key. */
  record Issued(Path certificate, Path key) {}

  /** A new CA in {@code dir}, named {@code name}. */
  static MeshPki create(Path dir, String name) throws Exception {
    Files.createDirectories(dir);
    Path store = dir.resolve(name + ".p12");
    keytool(
        "-genkeypair",
        "-alias",
        "ca",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=" + name,
        "-ext",
        "bc:c",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        store.toString(),
        "-storepass",
        PASSWORD);
    Path ca = dir.resolve(name + ".pem");
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "ca",
        "-keystore",
        store.toString(),
        "-storepass",
        PASSWORD,
        "-file",
        ca.toString());
    return new MeshPki(dir, ca);
  }

  /**
   * A certificate for {@code name} with subject alternative names {@code sans} (keytool's {@code
   * dns:...}, {@code uri:...}, {@code ip:...}), issued by this CA.
   */
  Issued issue(String name, String... sans) throws Exception {
    Path store = dir.resolve(name + ".p12");
    Path ca = dir.resolve(caFile.getFileName().toString().replace(".pem", ".p12"));
    keytool(
        "-genkeypair",
        "-alias",
        name,
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=" + name,
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        store.toString(),
        "-storepass",
        PASSWORD);
    Path request = dir.resolve(name + ".csr");
    keytool(
        "-certreq",
        "-alias",
        name,
        "-keystore",
        store.toString(),
        "-storepass",
        PASSWORD,
        "-file",
        request.toString());
    Path certificate = dir.resolve(name + ".pem");
    List<String> gencert =
        new ArrayList<>(
            List.of(
                "-gencert",
                "-rfc",
                "-alias",
                "ca",
                "-keystore",
                ca.toString(),
                "-storepass",
                PASSWORD,
                "-infile",
                request.toString(),
                "-outfile",
                certificate.toString(),
                "-validity",
                "2"));
    if (sans.length > 0) {
      gencert.addAll(List.of("-ext", "SAN=" + String.join(",", sans)));
    }
    keytool(gencert.toArray(String[]::new));
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(store.toFile())) {
      keys.load(in, PASSWORD.toCharArray());
    }
    Key key = keys.getKey(name, PASSWORD.toCharArray());
    Path keyFile = dir.resolve(name + ".key");
    Files.writeString(
        keyFile,
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
    return new Issued(certificate, keyFile);
  }

  private static void keytool(String... arguments) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(String.join(" ", command) + "\n" + output).isZero();
  }
}

package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A certificate authority made with the JDK's keytool, and certificates it issues as the PEM files
 * Envoy reads (certificate chain, PKCS #8 private key): what a mesh's {@code file} certificates and
 * trust point to. The CA and everything it issues live in one PKCS #12 store, so each certificate
 * costs one keytool run ({@code -genkeypair -signer}); the PEM files are written from the store.
 *
 * @param dir where the files are
 * @param caFile the CA's certificate in PEM
 */
record MeshPki(Path dir, Path caFile) {

  static final String PASSWORD = "changeit";

  /** A certificate and its key. */
  record Issued(Path certificate, Path key) {}

  private static @Nullable MeshPki shared;

  /**
   * The test JVM's one mesh CA ({@code mesh-ca}), made on first use with certificates {@code
   * server} (api.tls.local, legacy.tls.local), {@code client} (client.tls.local), {@code rogue}
   * (rogue.tls.local), {@code gateway} and {@code outside} (outside.test and an AWS name), and
   * removed when the JVM exits.
   */
  static synchronized MeshPki shared() throws Exception {
    if (shared == null) {
      Path dir = Files.createTempDirectory("meshboot-pki");
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try (Stream<Path> files = Files.list(dir)) {
                      for (Path file : files.toList()) {
                        Files.deleteIfExists(file);
                      }
                      Files.deleteIfExists(dir);
                    } catch (IOException e) {
                      // a temporary directory left behind
                    }
                  }));
      MeshPki pki = create(dir, "mesh-ca");
      pki.issue("server", "dns:api.tls.local", "dns:legacy.tls.local");
      pki.issue("client", "dns:client.tls.local");
      pki.issue("rogue", "dns:rogue.tls.local");
      pki.issue("gateway", "dns:gateway.tls.local");
      pki.issue("outside", "dns:outside.test", "dns:sts.us-east-1.amazonaws.com");
      shared = pki;
    }
    return shared;
  }

  /** A certificate this CA issued, by name. */
  Issued issued(String name) {
    return new Issued(dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
  }

  /** A new CA in {@code dir}, named {@code name}. */
  static MeshPki create(Path dir, String name) throws Exception {
    Files.createDirectories(dir);
    MeshPki pki = new MeshPki(dir, dir.resolve(name + ".pem"));
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
        pki.storeFile().toString(),
        "-storepass",
        PASSWORD);
    Files.writeString(
        pki.caFile, pem("CERTIFICATE", pki.store().getCertificate("ca").getEncoded()));
    return pki;
  }

  /** The store holding the CA's and every issued certificate's key and chain. */
  KeyStore store() throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(storeFile().toFile())) {
      keys.load(in, PASSWORD.toCharArray());
    }
    return keys;
  }

  private Path storeFile() {
    return dir.resolve("pki.p12");
  }

  /**
   * A certificate for {@code name} with subject alternative names {@code sans} (keytool's {@code
   * dns:...}, {@code uri:...}, {@code ip:...}), issued by this CA.
   */
  Issued issue(String name, String... sans) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
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
                storeFile().toString(),
                "-storepass",
                PASSWORD,
                "-signer",
                "ca"));
    if (sans.length > 0) {
      command.addAll(List.of("-ext", "SAN=" + String.join(",", sans)));
    }
    keytool(command.toArray(String[]::new));
    KeyStore keys = store();
    Path certificate = dir.resolve(name + ".pem");
    Files.writeString(certificate, pem("CERTIFICATE", keys.getCertificate(name).getEncoded()));
    Key key = keys.getKey(name, PASSWORD.toCharArray());
    Path keyFile = dir.resolve(name + ".key");
    Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
    return new Issued(certificate, keyFile);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private static void keytool(String... arguments) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    // a short-lived JVM: half the start-up time without the optimizing compiler
    command.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(String.join(" ", command) + "\n" + output).isZero();
  }
}

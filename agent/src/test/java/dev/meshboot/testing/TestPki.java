package dev.meshboot.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A certificate authority for TLS tests, made with the JDK's keytool (EC P-256, valid 2 days): it
 * issues certificates with the subject alternative names a test asks for, written as the PEM files
 * Envoy and meshboot read (certificate chain, PKCS #8 private key). The CA and everything it issues
 * live in one PKCS #12 store, so each certificate costs one keytool run ({@code -genkeypair
 * -signer}); the PEM files are written from the store.
 */
public final class TestPki {

  /** The password of {@link #store()} and of every key in it. */
  public static final String PASSWORD = "changeit";

  private static @Nullable TestPki shared;

  private final Path dir;
  private final Path caFile;

  /** An issued certificate: the certificate and its key, as PEM files. */
  public record Issued(Path certificate, Path key) {}

  private TestPki(Path dir, Path caFile) {
    this.dir = dir;
    this.caFile = caFile;
  }

  /**
   * The test JVM's one CA, {@code mesh-ca} (its certificate {@code mesh-ca.pem}, as the mesh
   * fixtures name it), made on first use in a temporary directory removed when the JVM exits.
   */
  public static synchronized TestPki shared() throws IOException, InterruptedException {
    if (shared == null) {
      Path dir = Files.createTempDirectory("meshboot-pki");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
      shared = create(dir, "mesh-ca");
    }
    return shared;
  }

  /** A new CA in {@code dir} named {@code name}; its certificate is {@code <name>.pem}. */
  public static TestPki create(Path dir, String name) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    TestPki pki = new TestPki(dir, dir.resolve(name + ".pem"));
    pki.generate("ca", name, "-ext", "bc:c");
    try {
      Files.writeString(
          pki.caFile, pem("CERTIFICATE", pki.store().getCertificate("ca").getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the CA certificate of " + name, e);
    }
    return pki;
  }

  /** Where the CA's and the issued certificates' files are. */
  public Path dir() {
    return dir;
  }

  /** The CA's certificate (PEM). */
  public Path caFile() {
    return caFile;
  }

  /** The files of certificate {@code name}, issued by {@link #issue}. */
  public Issued issued(String name) {
    return new Issued(dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
  }

  /** The store holding the CA's and every issued certificate's key and chain. */
  public KeyStore store() throws IOException, GeneralSecurityException {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(storeFile())) {
      keys.load(in, PASSWORD.toCharArray());
    }
    return keys;
  }

  /**
   * Issues a certificate named {@code name} (files {@code name.pem}, {@code name.key}) with subject
   * alternative names {@code sans} (one or more) in keytool's form, e.g. {@code
   * uri:spiffe://test/x}, {@code dns:api.test}, {@code ip:127.0.0.1}.
   */
  public synchronized Issued issue(String name, String... sans)
      throws IOException, InterruptedException {
    generate(name, name, "-signer", "ca", "-ext", "SAN=" + String.join(",", sans));
    Issued issued = issued(name);
    try {
      KeyStore keys = store();
      Files.writeString(
          issued.certificate(), pem("CERTIFICATE", keys.getCertificate(name).getEncoded()));
      Files.writeString(
          issued.key(), pem("PRIVATE KEY", keys.getKey(name, PASSWORD.toCharArray()).getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read certificate " + name + " from " + storeFile(), e);
    }
    return issued;
  }

  /**
   * A new EC P-256 key pair and certificate {@code CN=<commonName>} in the store as {@code alias}.
   */
  private void generate(String alias, String commonName, String... options)
      throws IOException, InterruptedException {
    List<String> arguments =
        new ArrayList<>(
            List.of(
                "-genkeypair",
                "-alias",
                alias,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=" + commonName,
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                storeFile().toString(),
                "-storepass",
                PASSWORD));
    arguments.addAll(List.of(options));
    keytool(arguments.toArray(String[]::new));
  }

  private Path storeFile() {
    return dir.resolve("pki.p12");
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

  private static void keytool(String... arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    // a short-lived JVM: half the start-up time without the optimizing compiler
    command.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed:\n" + output);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // a temporary directory left behind
    }
  }
}

package dev.meshboot.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.List;

/**
 * A certificate authority for TLS tests, made with the JDK's keytool (EC P-256, valid 2 days): it
 * issues certificates with the subject alternative names a test asks for, written as PEM files (the
 * key in PKCS#8), as Envoy and meshboot read them.
 */
public final class TestPki {

  private static final String PASSWORD = "changeit";

  private final Path dir;
  private final Path caStore;

  /** An issued certificate: the certificate and its key, as PEM files. */
  public record Issued(Path certificate, Path key) {}

  private TestPki(Path dir) {
    this.dir = dir;
    this.caStore = dir.resolve("ca.p12");
  }

  /** A new CA in {@code dir}; its certificate is {@link #caFile()}. */
  public static TestPki create(Path dir) throws IOException, InterruptedException {
    TestPki pki = new TestPki(dir);
    keytool(
        "-genkeypair",
        "-alias",
        "ca",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=meshboot test CA",
        "-ext",
        "bc:c",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        pki.caStore.toString(),
        "-storepass",
        PASSWORD);
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "ca",
        "-keystore",
        pki.caStore.toString(),
        "-storepass",
        PASSWORD,
        "-file",
        pki.caFile().toString());
    return pki;
  }

  /** The CA's certificate (PEM). */
  public Path caFile() {
    return dir.resolve("ca.pem");
  }

  /**
   * Issues a certificate named {@code name} (files {@code name.pem}, {@code name.key}) with subject
   * alternative names in keytool's form, e.g. {@code uri:spiffe://test/x,ip:127.0.0.1}.
   */
  public Issued issue(String name, String subjectAlternativeNames)
      throws IOException, InterruptedException {
    Path store = dir.resolve(name + ".p12");
    Path request = dir.resolve(name + ".csr");
    Path certificate = dir.resolve(name + ".pem");
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
    keytool(
        "-gencert",
        "-alias",
        "ca",
        "-keystore",
        caStore.toString(),
        "-storepass",
        PASSWORD,
        "-infile",
        request.toString(),
        "-outfile",
        certificate.toString(),
        "-rfc",
        "-validity",
        "2",
        "-ext",
        "san=" + subjectAlternativeNames);
    Path key = dir.resolve(name + ".key");
    Files.writeString(key, pem(privateKey(store, name)));
    return new Issued(certificate, key);
  }

  private static PrivateKey privateKey(Path store, String alias) throws IOException {
    try (InputStream in = Files.newInputStream(store)) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(in, PASSWORD.toCharArray());
      return (PrivateKey) keys.getKey(alias, PASSWORD.toCharArray());
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("cannot read the key of " + alias, e);
    }
  }

  private static String pem(PrivateKey key) {
    return "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
  }

  private static void keytool(String... arguments) throws IOException, InterruptedException {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed:\n" + output);
    }
  }
}

package dev.meshboot.bootstrap;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The Envoy v3 API as descriptors, built from the descriptor sets the templates module extracts at
 * build time. Messages are {@link com.google.protobuf.DynamicMessage}s of these descriptors: the
 * agent loads no generated Envoy class, which keeps {@code meshboot bootstrap} fast.
 *
 * <p>The core schema holds what is reachable from {@code Bootstrap} and the extensions meshboot
 * emits; the full schema adds every config and extension type and is loaded only to read files a
 * user supplies, which may use any of them.
 */
public final class EnvoySchema {

  /** The Envoy release whose API the descriptors come from (io.envoyproxy.controlplane:api). */
  public static final String API_VERSION = "1.34.0";

  static final String RESOURCE_DIR = "/dev/meshboot/bootstrap/";

  private static @org.jspecify.annotations.Nullable JarFile ownJar;
  private static boolean ownJarLooked;

  /** Which descriptor set to load. */
  public enum Scope {
    CORE("envoy-core.desc"),
    FULL("envoy-full.desc");

    private final String resource;

    Scope(String resource) {
      this.resource = resource;
    }
  }

  private final Scope scope;
  private final Map<String, FileDescriptor> files;
  private final Descriptor bootstrap;
  private final JsonFormat.TypeRegistry typeRegistry;
  private final Map<String, Set<String>> extensions;

  private EnvoySchema(Scope scope, Map<String, FileDescriptor> files) {
    this.scope = scope;
    this.files = files;
    this.bootstrap = findMessage("envoy.config.bootstrap.v3.Bootstrap");
    this.typeRegistry = JsonFormat.TypeRegistry.newBuilder().add(messages()).build();
    this.extensions = readExtensions();
  }

  /** Builds the descriptors of the given scope from the class path. */
  public static EnvoySchema load(Scope scope) {
    FileDescriptorSet set;
    try (InputStream in = resource(scope.resource)) {
      set = FileDescriptorSet.parseFrom(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the Envoy schema " + scope.resource, e);
    }
    Map<String, FileDescriptor> built = new HashMap<>();
    for (FileDescriptorProto file : set.getFileList()) {
      FileDescriptor[] dependencies =
          file.getDependencyList().stream().map(built::get).toArray(FileDescriptor[]::new);
      try {
        built.put(file.getName(), FileDescriptor.buildFrom(file, dependencies));
      } catch (DescriptorValidationException e) {
        throw new IllegalStateException("corrupt Envoy schema " + scope.resource, e);
      }
    }
    return new EnvoySchema(scope, built);
  }

  /**
   * Starts building a schema on a background thread, so that it overlaps with reading the
   * configuration; building descriptors is most of {@code meshboot bootstrap}'s time.
   */
  public static Preload preload(Scope scope) {
    java.util.concurrent.FutureTask<EnvoySchema> task =
        new java.util.concurrent.FutureTask<>(() -> load(scope));
    Thread thread =
        new Thread(task, "meshboot-schema-" + scope.name().toLowerCase(java.util.Locale.ROOT));
    thread.setDaemon(true);
    thread.start();
    return new Preload(scope, task);
  }

  /** A schema being built in the background. */
  public static final class Preload {
    private final Scope scope;
    private final java.util.concurrent.FutureTask<EnvoySchema> task;

    private Preload(Scope scope, java.util.concurrent.FutureTask<EnvoySchema> task) {
      this.scope = scope;
      this.task = task;
    }

    /** The schema of {@code wanted}: the preloaded one when it matches, else one built now. */
    public EnvoySchema get(Scope wanted) {
      if (wanted != scope) {
        task.cancel(true);
        return load(wanted);
      }
      try {
        return task.get(60, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while building the Envoy schema", e);
      } catch (java.util.concurrent.ExecutionException e) {
        if (e.getCause() instanceof RuntimeException runtime) {
          throw runtime;
        }
        throw new IllegalStateException("cannot build the Envoy schema", e.getCause());
      } catch (java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException("building the Envoy schema took over 60s", e);
      }
    }
  }

  public Scope scope() {
    return scope;
  }

  /** {@code envoy.config.bootstrap.v3.Bootstrap}. */
  public Descriptor bootstrap() {
    return bootstrap;
  }

  /** Resolves {@code @type} URLs of {@code Any} fields: every message of this schema. */
  public JsonFormat.TypeRegistry typeRegistry() {
    return typeRegistry;
  }

  /** The message type of an {@code Any}'s type URL, or null when the schema has no such type. */
  public com.google.protobuf.Descriptors.@org.jspecify.annotations.Nullable Descriptor typeForUrl(
      String typeUrl) {
    return typeRegistry.find(typeUrl.substring(typeUrl.lastIndexOf('/') + 1));
  }

  /** The config types allowed under each extension name meshboot knows. */
  public Map<String, Set<String>> extensions() {
    return extensions;
  }

  /** The message type of this name; its absence is a build error, not a user error. */
  public Descriptor findMessage(String fullName) {
    int dot = fullName.lastIndexOf('.');
    String pkg = fullName.substring(0, dot);
    for (FileDescriptor file : files.values()) {
      if (file.getPackage().equals(pkg)) {
        Descriptor found = file.findMessageTypeByName(fullName.substring(dot + 1));
        if (found != null) {
          return found;
        }
      }
    }
    throw new IllegalStateException(fullName + " is not in the Envoy schema " + scope);
  }

  /** The top-level message types of the schema. */
  public List<Descriptor> messages() {
    return files.values().stream().flatMap(file -> file.getMessageTypes().stream()).toList();
  }

  private static Map<String, Set<String>> readExtensions() {
    try (Reader in = new InputStreamReader(resource("extensions.json"), StandardCharsets.UTF_8)) {
      Map<String, Set<String>> out = new TreeMap<>();
      for (Map.Entry<String, JsonElement> entry :
          JsonParser.parseReader(in).getAsJsonObject().entrySet()) {
        Set<String> types = new java.util.TreeSet<>();
        entry.getValue().getAsJsonArray().forEach(type -> types.add(type.getAsString()));
        out.put(entry.getKey(), Set.copyOf(types));
      }
      return Map.copyOf(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read extensions.json", e);
    }
  }

  static InputStream resource(String name) {
    String path = RESOURCE_DIR + name;
    JarFile jar = ownJar();
    if (jar != null) {
      // Straight from the agent's jar: the class loader would first search the JDK's modules,
      // whose image reader costs milliseconds to open.
      JarEntry entry = jar.getJarEntry(path.substring(1));
      if (entry != null) {
        try {
          return jar.getInputStream(entry);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + path + " from " + jar.getName(), e);
        }
      }
    }
    InputStream in = EnvoySchema.class.getResourceAsStream(path);
    if (in == null) {
      throw new IllegalStateException("missing resource " + path);
    }
    return in;
  }

  /** The jar this class was loaded from, kept open; null when run from class directories. */
  private static synchronized @org.jspecify.annotations.Nullable JarFile ownJar() {
    if (!ownJarLooked) {
      ownJarLooked = true;
      try {
        var source = EnvoySchema.class.getProtectionDomain().getCodeSource();
        if (source != null && source.getLocation().getPath().endsWith(".jar")) {
          ownJar = new JarFile(new java.io.File(source.getLocation().toURI()));
        }
      } catch (IOException | java.net.URISyntaxException | SecurityException e) {
        ownJar = null;
      }
    }
    return ownJar;
  }
}

package dev.meshboot.templates;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Build step of the templates module: compiles the YAML fragments to JSON and writes the Envoy API
 * descriptor sets the agent loads at run time.
 *
 * <p>Outputs, under the given directory: {@code templates/<name>.json} for each fragment, {@code
 * extensions.json} (the allow-list of extension name to config types), {@code envoy-core.desc}
 * (everything reachable from {@code Bootstrap} and the allow-listed types) and {@code
 * envoy-full.desc} (every Envoy config and extension type, loaded only for user-supplied files).
 */
public final class SchemaCompiler {

  static final String BOOTSTRAP = "envoy.config.bootstrap.v3.Bootstrap";
  static final String PGV_FIELD_RULES = "validate.FieldRules";

  /** Templates that are not whole bootstraps, and the message type each one is. */
  static final Map<String, String> TEMPLATE_ROOTS =
      Map.of("xds-tls", "envoy.config.core.v3.TransportSocket");

  /** Packages whose messages may appear in a user's bootstrap, directly or as typed configs. */
  static final List<String> FULL_SCHEMA_PACKAGES =
      List.of(
          "envoy.config.",
          "envoy.extensions.",
          "envoy.type.",
          "envoy.watchdog.",
          "xds.type.",
          "xds.core.",
          "udpa.type.",
          "google.protobuf.");

  private SchemaCompiler() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: SchemaCompiler <templates dir> <output dir>");
    }
    Path sources = Path.of(args[0]);
    Path out = Path.of(args[1]);
    Files.createDirectories(out.resolve("templates"));

    Map<String, List<String>> extensions = readExtensions(sources.resolve("extensions.yaml"));
    write(out.resolve("extensions.json"), gson().toJson(extensions));

    Map<String, Descriptor> api = ApiIndex.load();
    extensions.values().forEach(types -> types.forEach(type -> require(api, type)));

    // The core schema: what the templates set, plus the validation rules' own types.
    TemplateUsage usage = new TemplateUsage(api);
    try (Stream<Path> files = Files.list(sources)) {
      for (Path yaml : files.sorted().toList()) {
        String name = yaml.getFileName().toString();
        if (name.endsWith(".yaml") && !name.equals("extensions.yaml")) {
          String root = TEMPLATE_ROOTS.getOrDefault(name.replace(".yaml", ""), BOOTSTRAP);
          usage.walk(name, gson().toJsonTree(loadYaml(yaml)), require(api, root));
        }
      }
    }
    List<Descriptor> core = new ArrayList<>();
    core.add(require(api, BOOTSTRAP));
    core.add(require(api, PGV_FIELD_RULES));
    core.addAll(usage.roots());
    writeSet(out.resolve("envoy-core.desc"), DescriptorPruner.prune(core, usage.partial()));

    List<Descriptor> full = new ArrayList<>();
    full.add(require(api, BOOTSTRAP));
    full.add(require(api, PGV_FIELD_RULES));
    extensions.values().forEach(types -> types.forEach(type -> full.add(require(api, type))));
    api.values().stream()
        .filter(type -> FULL_SCHEMA_PACKAGES.stream().anyMatch(type.getFullName()::startsWith))
        .forEach(full::add);
    writeSet(out.resolve("envoy-full.desc"), DescriptorPruner.prune(full));

    try (Stream<Path> files = Files.list(sources)) {
      for (Path yaml : files.sorted().toList()) {
        String name = yaml.getFileName().toString();
        if (name.endsWith(".yaml") && !name.equals("extensions.yaml")) {
          String json = gson().toJson(loadYaml(yaml));
          write(out.resolve("templates").resolve(name.replace(".yaml", ".json")), json);
        }
      }
    }
  }

  private static Descriptor require(Map<String, Descriptor> api, String type) {
    Descriptor descriptor = api.get(type);
    if (descriptor == null) {
      throw new IllegalArgumentException(
          "extensions.yaml names " + type + ", not in the Envoy API");
    }
    return descriptor;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, List<String>> readExtensions(Path file) {
    Object tree = loadYaml(file);
    if (!(tree instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException(file + ": expected a map of extension name to types");
    }
    Map<String, List<String>> out = new TreeMap<>();
    map.forEach((name, types) -> out.put((String) name, List.copyOf((List<String>) types)));
    return out;
  }

  private static Object loadYaml(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      Object tree =
          new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromString(text);
      if (tree == null) {
        throw new IllegalArgumentException(file + " is empty");
      }
      return tree;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Gson gson() {
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
  }

  private static void writeSet(Path file, FileDescriptorSet set) throws IOException {
    Files.write(file, set.toByteArray());
    System.out.printf(
        "meshboot schema: %s: %d files, %d bytes%n",
        file.getFileName(), set.getFileCount(), set.getSerializedSize());
  }

  private static void write(Path file, String text) throws IOException {
    Files.writeString(file, text + "\n", StandardCharsets.UTF_8);
  }

  /** Every message type of the Envoy API jar, by full name. */
  static final class ApiIndex {
    private ApiIndex() {}

    static Map<String, Descriptor> load() throws IOException {
      Map<String, Descriptor> types = new LinkedHashMap<>();
      for (FileDescriptor file : apiFiles()) {
        file.getMessageTypes().forEach(message -> index(message, types));
      }
      return types;
    }

    private static void index(Descriptor message, Map<String, Descriptor> types) {
      if (message.getOptions().getMapEntry()) {
        return;
      }
      types.put(message.getFullName(), message);
      message.getNestedTypes().forEach(nested -> index(nested, types));
    }

    /** The file descriptors of the generated outer classes in the jar that holds Bootstrap. */
    private static List<FileDescriptor> apiFiles() throws IOException {
      ClassLoader loader = SchemaCompiler.class.getClassLoader();
      Path jar;
      try {
        Class<?> anchor = Class.forName("io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap");
        jar = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
      } catch (ClassNotFoundException | URISyntaxException e) {
        throw new IllegalStateException("the Envoy API jar is not on the class path", e);
      }
      List<FileDescriptor> files = new ArrayList<>();
      try (JarFile entries = new JarFile(jar.toFile())) {
        for (Enumeration<JarEntry> e = entries.entries(); e.hasMoreElements(); ) {
          String name = e.nextElement().getName();
          if (!name.endsWith(".class") || name.contains("$")) {
            continue;
          }
          String className = name.substring(0, name.length() - 6).replace('/', '.');
          if (!className.endsWith("Proto") && !className.endsWith(".Validate")) {
            continue;
          }
          FileDescriptor file = descriptorOf(className, loader);
          if (file != null) {
            files.add(file);
          }
        }
      }
      return files;
    }

    private static @org.jspecify.annotations.Nullable FileDescriptor descriptorOf(
        String className, ClassLoader loader) {
      try {
        Method method = Class.forName(className, false, loader).getMethod("getDescriptor");
        return method.getReturnType() == FileDescriptor.class
            ? (FileDescriptor) method.invoke(null)
            : null;
      } catch (NoSuchMethodException e) {
        return null;
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read descriptor of " + className, e);
      }
    }
  }
}

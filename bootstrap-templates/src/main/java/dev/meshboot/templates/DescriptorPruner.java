package dev.meshboot.templates;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldOptions;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.DescriptorProtos.OneofDescriptorProto;
import com.google.protobuf.DescriptorProtos.OneofOptions;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Cuts the Envoy API descriptors down to the message and enum types reachable, through fields, from
 * a set of root messages, keeping only the options meshboot reads.
 *
 * <p>The full import closure of {@code envoy.config.bootstrap.v3.Bootstrap} holds about twice as
 * many types as are reachable through its fields; the rest are imported for annotations. Building
 * descriptors is most of the agent's start-up time, so what it does not need it does not load.
 * Every field of a kept message is kept, so strict parsing and validation are unchanged.
 */
final class DescriptorPruner {

  /** Extension number of {@code validate.rules} on fields and of {@code validate.disabled}. */
  static final int PGV_RULES = 1071;

  /** Extension number of {@code validate.ignored} on messages. */
  static final int PGV_IGNORED = 1072;

  private final Set<String> keep = new HashSet<>();
  private final Map<String, Set<String>> partial;
  private final Map<String, String> fileOfType = new HashMap<>();
  private final List<FileDescriptor> files = new ArrayList<>();

  private DescriptorPruner(Map<String, Set<String>> partial) {
    this.partial = partial;
  }

  /** Returns the pruned files, dependencies first, as a descriptor set. */
  static FileDescriptorSet prune(List<Descriptor> roots) {
    return prune(roots, Map.of());
  }

  /**
   * Like {@link #prune(List)}, but the messages named in {@code partial} keep only the listed
   * fields (and what those reach).
   */
  static FileDescriptorSet prune(List<Descriptor> roots, Map<String, Set<String>> partial) {
    DescriptorPruner pruner = new DescriptorPruner(partial);
    Set<String> seen = new HashSet<>();
    for (Descriptor root : roots) {
      pruner.reach(root);
      pruner.collectFiles(root.getFile(), seen);
    }
    return pruner.build();
  }

  private boolean keeps(Descriptor message, String field) {
    Set<String> fields = partial.get(message.getFullName());
    return fields == null || fields.contains(field);
  }

  private void reach(Descriptor message) {
    if (!keep.add(message.getFullName())) {
      return;
    }
    for (FieldDescriptor field : message.getFields()) {
      if (!keeps(message, field.getName())) {
        continue;
      }
      switch (field.getJavaType()) {
        case MESSAGE -> reach(field.getMessageType());
        case ENUM -> keep.add(field.getEnumType().getFullName());
        default -> {}
      }
    }
  }

  private void collectFiles(FileDescriptor file, Set<String> seen) {
    if (!seen.add(file.getName())) {
      return;
    }
    for (FileDescriptor dependency : file.getDependencies()) {
      collectFiles(dependency, seen);
    }
    files.add(file);
    for (Descriptor message : file.getMessageTypes()) {
      indexTypes(message, file.getName());
    }
    for (EnumDescriptor type : file.getEnumTypes()) {
      fileOfType.put("." + type.getFullName(), file.getName());
    }
  }

  private void indexTypes(Descriptor message, String file) {
    fileOfType.put("." + message.getFullName(), file);
    for (EnumDescriptor type : message.getEnumTypes()) {
      fileOfType.put("." + type.getFullName(), file);
    }
    for (Descriptor nested : message.getNestedTypes()) {
      indexTypes(nested, file);
    }
  }

  private FileDescriptorSet build() {
    FileDescriptorSet.Builder set = FileDescriptorSet.newBuilder();
    Set<String> written = new HashSet<>();
    for (FileDescriptor file : files) {
      FileDescriptorProto.Builder out =
          FileDescriptorProto.newBuilder()
              .setName(file.getName())
              .setPackage(file.getPackage())
              .setSyntax(file.toProto().getSyntax());
      Set<String> dependencies = new LinkedHashSet<>();
      for (Descriptor message : file.getMessageTypes()) {
        DescriptorProto pruned = prune(message, dependencies);
        if (pruned != null) {
          out.addMessageType(pruned);
        }
      }
      for (EnumDescriptor type : file.getEnumTypes()) {
        if (keep.contains(type.getFullName())) {
          out.addEnumType(pruneEnum(type));
        }
      }
      if (out.getMessageTypeCount() == 0 && out.getEnumTypeCount() == 0) {
        continue;
      }
      dependencies.remove(file.getName());
      for (String dependency : dependencies) {
        if (!written.contains(dependency)) {
          throw new IllegalStateException(file.getName() + " needs " + dependency + " first");
        }
        out.addDependency(dependency);
      }
      written.add(file.getName());
      set.addFile(out);
    }
    return set.build();
  }

  private @Nullable DescriptorProto prune(Descriptor message, Set<String> dependencies) {
    DescriptorProto source = message.toProto();
    DescriptorProto.Builder out = DescriptorProto.newBuilder().setName(source.getName());
    boolean kept = keep.contains(message.getFullName());
    if (kept) {
      out.setOptions(messageOptions(source.getOptions()));
      out.addAllExtensionRange(source.getExtensionRangeList());
      out.addAllReservedRange(source.getReservedRangeList());
      out.addAllReservedName(source.getReservedNameList());
      Map<Integer, Integer> oneofs = new HashMap<>();
      for (FieldDescriptorProto field : source.getFieldList()) {
        if (!keeps(message, field.getName())) {
          continue;
        }
        FieldDescriptorProto.Builder copy =
            field.toBuilder().setOptions(fieldOptions(field.getOptions()));
        if (field.hasOneofIndex()) {
          int index = field.getOneofIndex();
          if (!oneofs.containsKey(index)) {
            oneofs.put(index, oneofs.size());
            OneofDescriptorProto oneof = source.getOneofDecl(index);
            out.addOneofDecl(oneof.toBuilder().setOptions(oneofOptions(oneof.getOptions())));
          }
          copy.setOneofIndex(oneofs.get(index));
        }
        out.addField(copy);
        if (field.hasTypeName()) {
          String file = fileOfType.get(field.getTypeName());
          if (file == null) {
            throw new IllegalStateException("no file defines " + field.getTypeName());
          }
          dependencies.add(file);
        }
      }
    }
    boolean any = kept;
    for (Descriptor nested : message.getNestedTypes()) {
      DescriptorProto pruned = prune(nested, dependencies);
      if (pruned != null) {
        out.addNestedType(pruned);
        any = true;
      }
    }
    for (EnumDescriptor type : message.getEnumTypes()) {
      if (keep.contains(type.getFullName())) {
        out.addEnumType(pruneEnum(type));
        any = true;
      }
    }
    return any ? out.build() : null;
  }

  private static EnumDescriptorProto pruneEnum(EnumDescriptor type) {
    EnumDescriptorProto.Builder out = type.toProto().toBuilder().clearOptions();
    out.getValueBuilderList().forEach(value -> value.clearOptions());
    return out.build();
  }

  private static MessageOptions messageOptions(MessageOptions options) {
    MessageOptions.Builder out = MessageOptions.newBuilder();
    if (options.getMapEntry()) {
      out.setMapEntry(true);
    }
    return out.setUnknownFields(only(options, PGV_RULES, PGV_IGNORED)).build();
  }

  private static FieldOptions fieldOptions(FieldOptions options) {
    FieldOptions.Builder out = FieldOptions.newBuilder();
    if (options.getDeprecated()) {
      out.setDeprecated(true);
    }
    return out.setUnknownFields(only(options, PGV_RULES)).build();
  }

  private static OneofOptions oneofOptions(OneofOptions options) {
    return OneofOptions.newBuilder().setUnknownFields(only(options, PGV_RULES)).build();
  }

  /**
   * Keeps the given extension numbers. The generated API classes register the PGV extensions, so
   * the options are serialised and read back without a registry to see them as unknown fields.
   */
  private static UnknownFieldSet only(Message options, int... numbers) {
    UnknownFieldSet fields;
    try {
      fields = UnknownFieldSet.parseFrom(options.toByteString());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("unreadable options " + options, e);
    }
    UnknownFieldSet.Builder out = UnknownFieldSet.newBuilder();
    for (int number : numbers) {
      if (fields.hasField(number)) {
        out.addField(number, fields.getField(number));
      }
    }
    return out.build();
  }
}

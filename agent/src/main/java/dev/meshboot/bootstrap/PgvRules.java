package dev.meshboot.bootstrap;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.meshboot.io.Addresses;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The protoc-gen-validate rules ({@code validate.rules}) of one field, read from the descriptor's
 * options, and their check of one value. The rules are those the Envoy API declares; see
 * https://github.com/bufbuild/protoc-gen-validate#constraint-rules.
 */
final class PgvRules {

  /** Extension number of {@code validate.rules} (fields) and {@code validate.required} (oneofs). */
  static final int RULES = 1071;

  /**
   * The rules each kind's check reads, the dispatch's own table: a rule outside it is not passed
   * over but reported as one meshboot cannot check ({@link #unsupported}).
   */
  private static final Map<String, Set<String>> HANDLED =
      Map.ofEntries(
          Map.entry("message", Set.of("required", "skip")),
          Map.entry(
              "numeric", Set.of("const", "lt", "lte", "gt", "gte", "in", "not_in", "ignore_empty")),
          Map.entry("bool", Set.of("const")),
          Map.entry(
              "string",
              Set.of(
                  "const",
                  "len",
                  "min_len",
                  "max_len",
                  "len_bytes",
                  "min_bytes",
                  "max_bytes",
                  "pattern",
                  "prefix",
                  "suffix",
                  "contains",
                  "not_contains",
                  "in",
                  "not_in",
                  "well_known_regex",
                  "strict",
                  "ignore_empty",
                  "hostname",
                  "ip",
                  "ipv4",
                  "ipv6",
                  "address",
                  "uuid",
                  "uri",
                  "uri_ref",
                  "email")),
          Map.entry(
              "bytes",
              Set.of(
                  "const",
                  "len",
                  "min_len",
                  "max_len",
                  "prefix",
                  "suffix",
                  "contains",
                  "in",
                  "not_in",
                  "ignore_empty")),
          Map.entry("enum", Set.of("const", "defined_only", "in", "not_in")),
          Map.entry(
              "repeated", Set.of("min_items", "max_items", "unique", "items", "ignore_empty")),
          // no_sparse: map values cannot be unset in a parsed message, so it always holds.
          Map.entry(
              "map",
              Set.of("min_pairs", "max_pairs", "keys", "values", "no_sparse", "ignore_empty")),
          Map.entry("any", Set.of("required", "in", "not_in")),
          Map.entry(
              "duration", Set.of("required", "const", "lt", "lte", "gt", "gte", "in", "not_in")),
          Map.entry("timestamp", Set.of("required", "const", "lt", "lte", "gt", "gte")));

  /** Every rule this checker implements, as {@code kind.rule}; a test compares it with the API. */
  static final Set<String> SUPPORTED = supported();

  private static Set<String> supported() {
    Set<String> out = new java.util.TreeSet<>();
    HANDLED.forEach((kind, rules) -> rules.forEach(rule -> out.add(kind + "." + rule)));
    return java.util.Collections.unmodifiableSet(out);
  }

  static final Set<String> NUMERIC_KINDS =
      Set.of(
          "float",
          "double",
          "int32",
          "int64",
          "uint32",
          "uint64",
          "sint32",
          "sint64",
          "fixed32",
          "fixed64",
          "sfixed32",
          "sfixed64");

  // Envoy's header rules (strict by default): RFC 7230 token for names, no NUL/CR/LF in values.
  private static final Pattern HEADER_NAME = Pattern.compile("^:?[0-9a-zA-Z!#$%&'*+\\-.^_|~`]+$");
  private static final Pattern HEADER_VALUE = Pattern.compile("^[^\\u0000\\u000A\\u000D]*$");
  private static final Pattern UUID =
      Pattern.compile(
          "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

  private final Message rules;
  private final @org.jspecify.annotations.Nullable String unsupported;

  private PgvRules(Message rules) {
    this.rules = rules;
    this.unsupported = findUnsupported();
  }

  /** Rules given as a {@code validate.FieldRules} message (tests). */
  static PgvRules of(Message rules) {
    return new PgvRules(rules);
  }

  /** The rules of a field, if it has any. */
  static Optional<PgvRules> of(FieldDescriptor field, Descriptor fieldRulesType) {
    List<ByteString> raw =
        field.getOptions().getUnknownFields().getField(RULES).getLengthDelimitedList();
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new PgvRules(DynamicMessage.parseFrom(fieldRulesType, raw.get(raw.size() - 1))));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt validate.rules on " + field.getFullName(), e);
    }
  }

  /** Every {@code kind.rule} these rules use, for the coverage test. */
  Set<String> used() {
    Set<String> out = new HashSet<>();
    collect(rules, out);
    return out;
  }

  private static void collect(Message rules, Set<String> out) {
    for (Map.Entry<FieldDescriptor, Object> kind : rules.getAllFields().entrySet()) {
      String kindName = kind.getKey().getName();
      String group = NUMERIC_KINDS.contains(kindName) ? "numeric" : kindName;
      for (Map.Entry<FieldDescriptor, Object> rule :
          ((Message) kind.getValue()).getAllFields().entrySet()) {
        out.add(group + "." + rule.getKey().getName());
        if (rule.getValue() instanceof Message nested
            && nested.getDescriptorForType().getName().equals("FieldRules")) {
          collect(nested, out);
        }
      }
    }
  }

  /**
   * A rule of these that the checker does not implement, as a problem (never passed over), or null
   * when every rule is one it checks.
   */
  @org.jspecify.annotations.Nullable
  String unsupported() {
    return unsupported;
  }

  private @org.jspecify.annotations.Nullable String findUnsupported() {
    for (String rule : used()) {
      String kind = rule.substring(0, rule.indexOf('.'));
      if (!HANDLED.getOrDefault(kind, Set.of()).contains(rule.substring(kind.length() + 1))) {
        return "has the validation rule " + rule + ", which meshboot cannot check";
      }
    }
    return null;
  }

  /** Whether the field must be set (message.required, any.required, duration.required...). */
  boolean required() {
    for (Map.Entry<FieldDescriptor, Object> kind : rules.getAllFields().entrySet()) {
      if (kind.getValue() instanceof Message rule) {
        Object required = field(rule, "required");
        if (Boolean.TRUE.equals(required)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether the field is {@code message.skip}: its message is not validated. */
  boolean skip() {
    Object message = field(rules, "message");
    return message instanceof Message m && Boolean.TRUE.equals(field(m, "skip"));
  }

  /** Rules for the items of a repeated field or the keys/values of a map. */
  Optional<PgvRules> nested(String kind, String which) {
    Object group = field(rules, kind);
    if (group instanceof Message m
        && field(m, which) instanceof Message nested
        && !nested.getAllFields().isEmpty()) {
      return Optional.of(new PgvRules(nested));
    }
    return Optional.empty();
  }

  /** Checks a repeated or map field's count rules; returns a problem or null. */
  @org.jspecify.annotations.Nullable
  String checkCount(FieldDescriptor field, List<?> items) {
    String unsupported = unsupported();
    if (unsupported != null) {
      return unsupported;
    }
    String kind = field.isMapField() ? "map" : "repeated";
    if (!(field(rules, kind) instanceof Message rule)) {
      return null;
    }
    if (items.isEmpty() && Boolean.TRUE.equals(field(rule, "ignore_empty"))) {
      return null;
    }
    Object min = field(rule, field.isMapField() ? "min_pairs" : "min_items");
    Object max = field(rule, field.isMapField() ? "max_pairs" : "max_items");
    if (min instanceof Long n && items.size() < n) {
      return "must have at least " + n + (n == 1 ? " item" : " items");
    }
    if (max instanceof Long n && items.size() > n) {
      return "must have at most " + n + (n == 1 ? " item" : " items");
    }
    if (Boolean.TRUE.equals(field(rule, "unique")) && new HashSet<>(items).size() != items.size()) {
      return "items must be unique";
    }
    return null;
  }

  /**
   * Checks one scalar, enum, duration, timestamp or Any value.
   *
   * @return a problem, or null when the value passes
   */
  @org.jspecify.annotations.Nullable
  String check(Object value) {
    String unsupported = unsupported();
    if (unsupported != null) {
      return unsupported;
    }
    for (Map.Entry<FieldDescriptor, Object> entry : rules.getAllFields().entrySet()) {
      String kind = entry.getKey().getName();
      if (!(entry.getValue() instanceof Message rule)
          || kind.equals("message")
          || kind.equals("repeated")
          || kind.equals("map")) {
        continue;
      }
      String problem =
          switch (kind) {
            case "string" -> string((String) value, rule);
            case "bytes" -> bytes((ByteString) value, rule);
            case "bool" ->
                field(rule, "const") instanceof Boolean c && !c.equals(value)
                    ? "must be " + c
                    : null;
            case "enum" -> enumValue((EnumValueDescriptor) value, rule);
            case "any" -> any((Message) value, rule);
            case "duration", "timestamp" -> numeric(seconds((Message) value), rule, true);
            default -> numeric(Num.of(value), rule, false);
          };
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  /**
   * A number from a message or a rule: exact as a long for integer types, else a double. (Not
   * BigDecimal, whose first use costs milliseconds of start-up.)
   */
  record Num(boolean integral, long exact, double approximate) implements Comparable<Num> {
    static Num of(Object value) {
      if (value instanceof Integer || value instanceof Long) {
        long exact = ((Number) value).longValue();
        return new Num(true, exact, exact);
      }
      return new Num(false, 0, ((Number) value).doubleValue());
    }

    static Num of(double value) {
      return new Num(false, 0, value);
    }

    boolean isZero() {
      return integral ? exact == 0 : approximate == 0;
    }

    @Override
    public int compareTo(Num other) {
      return integral && other.integral
          ? Long.compare(exact, other.exact)
          : Double.compare(approximate, other.approximate);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Num num && compareTo(num) == 0;
    }

    @Override
    public int hashCode() {
      return Double.hashCode(approximate);
    }

    String text(boolean duration) {
      String number = integral ? Long.toString(exact) : trim(approximate);
      return duration ? number + "s" : number;
    }

    private static String trim(double value) {
      return value == Math.rint(value) && Math.abs(value) < 1e15
          ? Long.toString((long) value)
          : Double.toString(value);
    }
  }

  private static @org.jspecify.annotations.Nullable String numeric(
      Num value, Message rule, boolean duration) {
    if (value.isZero() && Boolean.TRUE.equals(field(rule, "ignore_empty"))) {
      return null;
    }
    Num constant = number(field(rule, "const"));
    if (constant != null && value.compareTo(constant) != 0) {
      return "must equal " + constant.text(duration);
    }
    Num lt = number(field(rule, "lt"));
    Num lte = number(field(rule, "lte"));
    Num gt = number(field(rule, "gt"));
    Num gte = number(field(rule, "gte"));
    boolean belowMax =
        lt != null ? value.compareTo(lt) < 0 : lte == null || value.compareTo(lte) <= 0;
    boolean aboveMin =
        gt != null ? value.compareTo(gt) > 0 : gte == null || value.compareTo(gte) >= 0;
    Num upper = lt != null ? lt : lte;
    Num lower = gt != null ? gt : gte;
    boolean exclusiveRange = upper != null && lower != null && upper.compareTo(lower) < 0;
    boolean ok = exclusiveRange ? (belowMax || aboveMin) : (belowMax && aboveMin);
    if (!ok) {
      StringBuilder expected = new StringBuilder("must be");
      if (lower != null) {
        expected.append(gt != null ? " greater than " : " at least ").append(lower.text(duration));
      }
      if (upper != null) {
        expected.append(lower != null ? (exclusiveRange ? " or" : " and") : "");
        expected.append(lt != null ? " less than " : " at most ").append(upper.text(duration));
      }
      return expected.toString();
    }
    List<Num> in = numbers(field(rule, "in"));
    if (!in.isEmpty() && !in.contains(value)) {
      return "must be one of " + in.stream().map(n -> n.text(duration)).toList();
    }
    if (numbers(field(rule, "not_in")).contains(value)) {
      return "must not be " + value.text(duration);
    }
    return null;
  }

  private static @org.jspecify.annotations.Nullable String string(String value, Message rule) {
    if (value.isEmpty() && Boolean.TRUE.equals(field(rule, "ignore_empty"))) {
      return null;
    }
    long chars = value.codePointCount(0, value.length());
    long bytes = value.getBytes(StandardCharsets.UTF_8).length;
    for (Map.Entry<FieldDescriptor, Object> entry : rule.getAllFields().entrySet()) {
      Object limit = entry.getValue();
      String problem =
          switch (entry.getKey().getName()) {
            case "const" -> value.equals(limit) ? null : "must be \"" + limit + "\"";
            case "len" -> chars == (Long) limit ? null : "must be " + limit + " characters long";
            case "min_len" ->
                chars >= (Long) limit
                    ? null
                    : ((Long) limit == 1
                        ? "must not be empty"
                        : "must be at least " + limit + " characters long");
            case "max_len" ->
                chars <= (Long) limit ? null : "must be at most " + limit + " characters long";
            case "len_bytes" -> bytes == (Long) limit ? null : "must be " + limit + " bytes long";
            case "min_bytes" ->
                bytes >= (Long) limit
                    ? null
                    : ((Long) limit == 1
                        ? "must not be empty"
                        : "must be at least " + limit + " bytes long");
            case "max_bytes" ->
                bytes <= (Long) limit ? null : "must be at most " + limit + " bytes long";
            case "pattern" -> matches((String) limit, value) ? null : "must match " + limit;
            case "prefix" ->
                value.startsWith((String) limit) ? null : "must start with \"" + limit + "\"";
            case "suffix" ->
                value.endsWith((String) limit) ? null : "must end with \"" + limit + "\"";
            case "contains" ->
                value.contains((String) limit) ? null : "must contain \"" + limit + "\"";
            case "not_contains" ->
                !value.contains((String) limit) ? null : "must not contain \"" + limit + "\"";
            case "in" -> ((List<?>) limit).contains(value) ? null : "must be one of " + limit;
            case "not_in" ->
                !((List<?>) limit).contains(value) ? null : "must not be \"" + value + "\"";
            case "well_known_regex" -> wellKnownRegex((EnumValueDescriptor) limit, rule, value);
            case "hostname" ->
                !(Boolean) limit || Addresses.isHostname(value) ? null : "must be a host name";
            case "ip" ->
                !(Boolean) limit || Addresses.isIpLiteral(value) ? null : "must be an IP address";
            case "ipv4" ->
                !(Boolean) limit || Addresses.isIpv4(value) ? null : "must be an IPv4 address";
            case "ipv6" ->
                !(Boolean) limit || Addresses.isIpv6(value) ? null : "must be an IPv6 address";
            case "address" ->
                !(Boolean) limit || Addresses.isIpLiteral(value) || Addresses.isHostname(value)
                    ? null
                    : "must be a host name or IP address";
            case "uuid" ->
                !(Boolean) limit || UUID.matcher(value).matches() ? null : "must be a UUID";
            case "uri" -> !(Boolean) limit || isUri(value, true) ? null : "must be an absolute URI";
            case "uri_ref" ->
                !(Boolean) limit || isUri(value, false) ? null : "must be a URI reference";
            case "email" ->
                !(Boolean) limit || value.matches("[^@\\s]+@[^@\\s]+")
                    ? null
                    : "must be an email address";
            default -> null;
          };
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private static @org.jspecify.annotations.Nullable String wellKnownRegex(
      EnumValueDescriptor regex, Message rule, String value) {
    boolean strict = !Boolean.FALSE.equals(field(rule, "strict"));
    return switch (regex.getName()) {
      case "HTTP_HEADER_NAME" ->
          (strict ? HEADER_NAME : HEADER_VALUE).matcher(value).matches()
              ? null
              : "must be a valid HTTP header name";
      case "HTTP_HEADER_VALUE" ->
          HEADER_VALUE.matcher(value).matches() ? null : "must be a valid HTTP header value";
      default -> null;
    };
  }

  private static boolean isUri(String value, boolean absolute) {
    try {
      java.net.URI uri = new java.net.URI(value);
      return !absolute || uri.isAbsolute();
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  private static boolean matches(String regex, String value) {
    try {
      return Pattern.compile(regex).matcher(value).find();
    } catch (PatternSyntaxException e) {
      // PGV patterns are RE2; the few Java cannot compile are not enforced here (Envoy still is).
      return true;
    }
  }

  private static @org.jspecify.annotations.Nullable String bytes(ByteString value, Message rule) {
    if (value.isEmpty() && Boolean.TRUE.equals(field(rule, "ignore_empty"))) {
      return null;
    }
    Object min = field(rule, "min_len");
    Object max = field(rule, "max_len");
    Object len = field(rule, "len");
    if (min instanceof Long n && value.size() < n) {
      return "must be at least " + n + " bytes long";
    }
    if (max instanceof Long n && value.size() > n) {
      return "must be at most " + n + " bytes long";
    }
    if (len instanceof Long n && value.size() != n) {
      return "must be " + n + " bytes long";
    }
    if (field(rule, "const") instanceof ByteString c && !c.equals(value)) {
      return "must be the constant bytes the API gives";
    }
    if (field(rule, "prefix") instanceof ByteString p && !value.startsWith(p)) {
      return "must start with the bytes the API gives";
    }
    if (field(rule, "suffix") instanceof ByteString p && !value.endsWith(p)) {
      return "must end with the bytes the API gives";
    }
    if (field(rule, "contains") instanceof ByteString p && !contains(value, p)) {
      return "must contain the bytes the API gives";
    }
    if (field(rule, "in") instanceof List<?> in && !in.contains(value)) {
      return "must be one of the values the API gives";
    }
    if (field(rule, "not_in") instanceof List<?> notIn && notIn.contains(value)) {
      return "must not be one of the values the API excludes";
    }
    return null;
  }

  private static boolean contains(ByteString value, ByteString part) {
    for (int start = 0; start + part.size() <= value.size(); start++) {
      if (value.substring(start, start + part.size()).equals(part)) {
        return true;
      }
    }
    return false;
  }

  private static @org.jspecify.annotations.Nullable String enumValue(
      EnumValueDescriptor value, Message rule) {
    if (Boolean.TRUE.equals(field(rule, "defined_only"))
        && value.getType().findValueByNumber(value.getNumber()) == null) {
      return "must be one of the defined values of " + value.getType().getName();
    }
    Object constant = field(rule, "const");
    if (constant instanceof Integer n && value.getNumber() != n) {
      return "must be " + value.getType().findValueByNumber(n);
    }
    List<?> in = (List<?>) field(rule, "in");
    if (in != null && !in.isEmpty() && !in.contains(value.getNumber())) {
      return "must be one of " + in;
    }
    List<?> notIn = (List<?>) field(rule, "not_in");
    if (notIn != null && notIn.contains(value.getNumber())) {
      return "must not be " + value.getName();
    }
    return null;
  }

  private static @org.jspecify.annotations.Nullable String any(Message value, Message rule) {
    String url = (String) value.getField(value.getDescriptorForType().findFieldByName("type_url"));
    List<?> in = (List<?>) field(rule, "in");
    if (in != null && !in.isEmpty() && !in.contains(url)) {
      return "@type must be one of " + in;
    }
    List<?> notIn = (List<?>) field(rule, "not_in");
    if (notIn != null && notIn.contains(url)) {
      return "@type must not be " + url;
    }
    return null;
  }

  private static Num seconds(Message duration) {
    Descriptor type = duration.getDescriptorForType();
    long seconds = (Long) duration.getField(type.findFieldByName("seconds"));
    int nanos = (Integer) duration.getField(type.findFieldByName("nanos"));
    return Num.of(seconds + nanos / 1e9);
  }

  private static @org.jspecify.annotations.Nullable Num number(
      @org.jspecify.annotations.Nullable Object value) {
    if (value == null) {
      return null;
    }
    return value instanceof Message duration ? seconds(duration) : Num.of(value);
  }

  private static List<Num> numbers(@org.jspecify.annotations.Nullable Object values) {
    if (!(values instanceof List<?> list)) {
      return List.of();
    }
    return list.stream().map(v -> java.util.Objects.requireNonNull(number(v))).toList();
  }

  /** The value of a field that is set, else null (repeated: the list, or null when empty). */
  static @org.jspecify.annotations.Nullable Object field(Message message, String name) {
    FieldDescriptor field = message.getDescriptorForType().findFieldByName(name);
    if (field == null) {
      return null;
    }
    if (field.isRepeated()) {
      return message.getRepeatedFieldCount(field) == 0 ? null : message.getField(field);
    }
    return message.hasField(field) ? message.getField(field) : null;
  }
}

package dev.meshboot.cli;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Manifests read with fabric8's Kubernetes model, strictly. fabric8 reads a field its model does
 * not have (a misspelling, a field of a newer API), or a value of the wrong type, into the object's
 * {@code additionalProperties} instead of failing; {@link #unknownFields} walks the parsed objects
 * and names every such field with its path, so a test can insist there are none.
 */
final class KubernetesModel {

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private KubernetesModel() {}

  /** One YAML document as the typed resource its apiVersion and kind name. */
  static HasMetadata parse(String yaml) {
    Object parsed = SERIALIZATION.unmarshal(yaml);
    if (!(parsed instanceof HasMetadata resource) || parsed instanceof GenericKubernetesResource) {
      throw new IllegalArgumentException(
          "not a resource of fabric8's Kubernetes model: "
              + (parsed == null ? "nothing" : parsed.getClass().getName()));
    }
    return resource;
  }

  /** Every field of {@code object} (at {@code path}) and below that the model did not know. */
  static List<String> unknownFields(Object object, String path) {
    List<String> unknown = new ArrayList<>();
    walk(object, path, unknown);
    return unknown;
  }

  private static void walk(Object value, String path, List<String> unknown) {
    switch (value) {
      case List<?> list -> {
        for (int i = 0; i < list.size(); i++) {
          walk(list.get(i), path + "[" + i + "]", unknown);
        }
      }
      case Map<?, ?> map -> map.forEach((key, item) -> walk(item, path + "." + key, unknown));
      default -> {
        if (value != null && value.getClass().getName().startsWith("io.fabric8.")) {
          model(value, path, unknown);
        }
      }
    }
  }

  /** A model object: its additionalProperties, then each property's value. */
  private static void model(Object object, String path, List<String> unknown) {
    List<Method> getters = new ArrayList<>();
    for (Method method : object.getClass().getMethods()) {
      String name = method.getName();
      if (method.getParameterCount() == 0
          && !Modifier.isStatic(method.getModifiers())
          && name.startsWith("get")
          && !name.equals("getClass")) {
        getters.add(method);
      }
    }
    getters.sort(Comparator.comparing(Method::getName));
    for (Method getter : getters) {
      Object value = invoke(getter, object);
      if (getter.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra) {
          extra.keySet().forEach(key -> unknown.add(path + "." + key));
        }
      } else if (value != null) {
        String property = getter.getName().substring(3);
        walk(
            value,
            path + "." + Character.toLowerCase(property.charAt(0)) + property.substring(1),
            unknown);
      }
    }
  }

  private static Object invoke(Method getter, Object object) {
    try {
      return getter.invoke(object);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot read " + getter, e);
    }
  }
}

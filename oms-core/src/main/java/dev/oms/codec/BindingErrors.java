package dev.oms.codec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import java.util.Arrays;
import java.util.Collection;

/**
 * Turns a failure to bind {@code data} to an event record into an {@link OmsException} that names
 * the event type, the field path and the problem. A record's own validation (an OmsException
 * thrown by its constructor, which Jackson wraps) keeps its message.
 */
final class BindingErrors {
  private BindingErrors() {}

  static OmsException invalidData(String typeName, Throwable failure) {
    String where = failure instanceof JsonMappingException jme ? path(jme) : "";
    String prefix = "invalid " + typeName + " data" + (where.isEmpty() ? "" : " at '" + where + "'") + ": ";
    OmsException rule = findOmsException(failure);
    if (rule != null) {
      return new OmsException(rule.kind(), prefix + rule.getMessage(), failure);
    }
    return new OmsException(Kind.INVALID_EVENT, prefix + problem(failure), failure);
  }

  private static String problem(Throwable failure) {
    if (failure instanceof InvalidNullException) {
      return "the field must not be null";
    }
    if (failure instanceof MismatchedInputException mie) {
      // Jackson's own wording tells missing and null creator properties apart. Any other mismatch
      // is a wrong value, left out of the message on purpose: data fields can hold personal data.
      String original = String.valueOf(mie.getOriginalMessage());
      if (original.startsWith("Missing")) {
        return "the required field is missing";
      }
      if (original.startsWith("Null value")) {
        return "the field must not be null";
      }
      return "the value is not a valid " + typeName(mie.getTargetType());
    }
    if (failure instanceof ValueInstantiationException vie && vie.getCause() != null) {
      return "could not create " + vie.getType().getRawClass().getSimpleName() + " ("
          + vie.getCause().getClass().getSimpleName() + ")";
    }
    if (failure instanceof JacksonException je) {
      return Messages.brief(je);
    }
    return failure.getClass().getSimpleName();
  }

  private static String typeName(Class<?> type) {
    if (type == null) {
      return "value";
    }
    if (Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "JSON array";
    }
    if (type.isEnum()) {
      return type.getSimpleName() + ", one of " + Arrays.toString(type.getEnumConstants());
    }
    boolean plain = type.isPrimitive() || type.getName().startsWith("java.");
    return plain ? type.getSimpleName() : type.getSimpleName() + " object";
  }

  private static OmsException findOmsException(Throwable failure) {
    for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof OmsException oms) {
        return oms;
      }
    }
    return null;
  }

  /** The JSON path of the failure inside {@code data}, such as {@code lines[0].quantity}. */
  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }
}

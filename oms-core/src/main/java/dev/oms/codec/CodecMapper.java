package dev.oms.codec;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.BeanPropertyWriter;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.oms.event.OrderEvent;
import java.util.List;

/**
 * The one ObjectMapper behind every {@link EventCodec}. Strict where money and quantities could be
 * silently bent (no float-to-int, no "12"-to-12, no enum ordinals, no duplicate keys, no trailing
 * garbage), tolerant of unknown fields so newer producers can add data. Never default typing: the
 * Java type to bind comes from the registry, never from the bytes.
 */
final class CodecMapper {
  private CodecMapper() {}

  static final ObjectMapper MAPPER = create();

  private static ObjectMapper create() {
    JsonFactory factory = JsonFactory.builder()
        // Two parsers disagreeing on which duplicate wins is a classic smuggling trick.
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
    return JsonMapper.builder(factory)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        // A number where text belongs (a numeric sku) is a producer bug, not something to paper over.
        .withCoercionConfig(LogicalType.Textual, text -> text
            .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
        // [line, null] would otherwise reach the records as a NullPointerException without a path.
        .defaultSetterInfo(JsonSetter.Value.forContentNulls(Nulls.FAIL))
        // The codec writes data into its own in-memory generator; a flush per value is wasted work.
        .disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE)
        .addModule(new SimpleModule("oms-codec").setSerializerModifier(new DropMetadata()))
        .build();
  }

  /**
   * Leaves {@code metadata} out of an event's {@code data}: it travels as CloudEvents attributes.
   * Only serialization changes, so decoding can still hand the record its metadata.
   */
  static final class DropMetadata extends BeanSerializerModifier {
    private static final long serialVersionUID = 1L;

    @Override
    public List<BeanPropertyWriter> changeProperties(
        SerializationConfig config, BeanDescription beanDesc, List<BeanPropertyWriter> properties) {
      if (OrderEvent.class.isAssignableFrom(beanDesc.getBeanClass())) {
        properties.removeIf(p -> p.getName().equals("metadata"));
      }
      return properties;
    }
  }
}

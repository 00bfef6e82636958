package io.hpcwhisk.balancer.entity;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One API of a namespace (the {@code apimgmt} routes under one base path): the swagger 2.0 document
 * as OpenWhisk's route management returns it, without any API key. Stored in the entity store under
 * {@code ns/default/api-SHA256(basePath)}: users cannot create a package named {@code default}, so
 * no action, package, trigger or rule of a user can ever share that key.
 */
public record ApiDoc(
    String namespace, String name, String version, String basePath, JsonNode swagger, long updated)
    implements WhiskEntity {

  /** The package segment of every API's key; a name users cannot give a package. */
  public static final String KEY_PACKAGE = "default";

  /** Where the API with {@code basePath} of {@code namespace} is stored. */
  public static EntityPath pathFor(String namespace, String basePath) {
    return new EntityPath(namespace, KEY_PACKAGE, nameFor(basePath));
  }

  /** The stored name of the API with {@code basePath}. */
  public static String nameFor(String basePath) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(basePath.getBytes(StandardCharsets.UTF_8));
      return "api-" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

package dev.meshboot.mesh.serve;

import dev.meshboot.mesh.MeshDefinition;
import dev.meshboot.mesh.NodeKey;
import dev.meshboot.mesh.NodeResources;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * Where the server's configuration comes from: a directory loaded into a definition, and the
 * definition translated into each node's resources. Serving depends on nothing else of loading and
 * translation ({@code mesh.load}, {@code mesh.xds}), which {@code meshboot}'s commands pass in.
 *
 * @param loader reads the directory (or file); throws {@link dev.meshboot.mesh.MeshException} with
 *     every error of an invalid definition
 * @param translator gives the resources of every node the server serves; a node it leaves out is
 *     refused
 */
public record MeshSource(
    Function<Path, MeshDefinition> loader,
    Function<MeshDefinition, Map<NodeKey, NodeResources>> translator) {}

// Deletion with Kubernetes propagation policies over ownerReferences (the garbage collector).
#pragma once

#include <string>

#include "loop.hpp"
#include "store.hpp"

namespace kemu {

enum class Propagation { Background, Foreground, Orphan };

/// Deletes one object. Foreground removes dependents first; Background removes them right after,
/// on the next loop turn; Orphan strips the owner reference from them.
Result<ObjPtr> delete_object(Store& store, Loop& loop, const ResourceType& rt,
                             const std::string& ns, const std::string& name, Propagation policy);

}  // namespace kemu

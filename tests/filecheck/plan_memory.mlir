// RUN: ziggurat opt %s --pipeline "builtin.module(plan-memory)" | filecheck %s
// plan-memory: three 256-byte activation buffers in a chain. t0 dies when t1 is written, so t2 reuses
// t0's offset: two slots, an arena of 512 bytes instead of 768 (recorded as zg.unplanned_bytes).
// CHECK-LABEL: sym_name = "main"
// CHECK: %[[T0:.*]] = "loop.alloc"() <{alignment = 64 : i64}> {zg.offset = 0 : i64} : () -> memref<4x16xf32> loc("t0")
// CHECK-NEXT: "loop.call"(%arg0, %[[T0]]) <{callee = @neg}>
// CHECK-NEXT: %[[T1:.*]] = "loop.alloc"() <{alignment = 64 : i64}> {zg.offset = 256 : i64} : () -> memref<4x16xf32> loc("t1")
// CHECK-NEXT: "loop.call"(%[[T0]], %[[T1]]) <{callee = @neg}>
// CHECK-NEXT: %[[T2:.*]] = "loop.alloc"() <{alignment = 64 : i64}> {zg.offset = 0 : i64} : () -> memref<4x16xf32> loc("t2")
// CHECK-NEXT: "loop.call"(%[[T1]], %[[T2]]) <{callee = @neg}>
// CHECK-NEXT: "loop.call"(%[[T2]], %arg1) <{callee = @neg}>
// CHECK-NEXT: "func.return"() : () -> ()
// CHECK-NEXT: }) {zg.arena_bytes = 512 : i64, zg.unplanned_bytes = 768 : i64} : () -> ()
"builtin.module"() ({
  "loop.kernel"() <{function_type = (memref<4x16xf32>, memref<4x16xf32>) -> (), sym_name = "neg"}> ({
  ^bb0(%arg0: memref<4x16xf32>, %arg1: memref<4x16xf32>):
    %0 = "arith.constant"() <{value = 0 : index}> : () -> index
    %1 = "arith.constant"() <{value = 4 : index}> : () -> index
    %2 = "arith.constant"() <{value = 1 : index}> : () -> index
    %3 = "arith.constant"() <{value = 16 : index}> : () -> index
    "loop.for"(%0, %1, %2) ({
    ^bb0(%arg2: index):
      "loop.for"(%0, %3, %2) ({
      ^bb0(%arg3: index):
        %4 = "loop.load"(%arg0, %arg2, %arg3) : (memref<4x16xf32>, index, index) -> f32
        %5 = "arith.negf"(%4) : (f32) -> f32
        "loop.store"(%5, %arg1, %arg2, %arg3) : (f32, memref<4x16xf32>, index, index) -> ()
        "loop.yield"() : () -> ()
      }) : (index, index, index) -> ()
      "loop.yield"() : () -> ()
    }) : (index, index, index) -> ()
    "loop.return"() : () -> ()
  }) : () -> ()
  "func.func"() <{function_type = (memref<4x16xf32>, memref<4x16xf32>) -> (), sym_name = "main"}> ({
  ^bb0(%arg0: memref<4x16xf32>, %arg1: memref<4x16xf32>):
    %0 = "loop.alloc"() <{alignment = 64 : i64}> : () -> memref<4x16xf32> loc("t0")
    "loop.call"(%arg0, %0) <{callee = @neg}> : (memref<4x16xf32>, memref<4x16xf32>) -> ()
    %1 = "loop.alloc"() <{alignment = 64 : i64}> : () -> memref<4x16xf32> loc("t1")
    "loop.call"(%0, %1) <{callee = @neg}> : (memref<4x16xf32>, memref<4x16xf32>) -> ()
    %2 = "loop.alloc"() <{alignment = 64 : i64}> : () -> memref<4x16xf32> loc("t2")
    "loop.call"(%1, %2) <{callee = @neg}> : (memref<4x16xf32>, memref<4x16xf32>) -> ()
    "loop.call"(%2, %arg1) <{callee = @neg}> : (memref<4x16xf32>, memref<4x16xf32>) -> ()
    "func.return"() : () -> ()
  }) : () -> ()
}) : () -> ()

export type Json =
  | string
  | number
  | boolean
  | null
  | { [key: string]: Json | undefined }
  | Json[]

export type Database = {
  public: {
    Tables: {
      agreements: {
        Row: {
          body: string
          couple_id: string
          created_at: string
          created_by: string | null
          done: boolean
          id: string
          position: number
          updated_at: string
          updated_by: string | null
        }
        Insert: {
          body: string
          couple_id: string
          created_at?: string
          created_by?: string | null
          done?: boolean
          id?: string
          position?: number
          updated_at?: string
          updated_by?: string | null
        }
        Update: {
          body?: string
          couple_id?: string
          created_at?: string
          created_by?: string | null
          done?: boolean
          id?: string
          position?: number
          updated_at?: string
          updated_by?: string | null
        }
        Relationships: [
          {
            foreignKeyName: "agreements_couple_id_fkey"
            columns: ["couple_id"]
            isOneToOne: false
            referencedRelation: "couples"
            referencedColumns: ["id"]
          },
        ]
      }
      answers: {
        Row: {
          answered_at: string
          kind: string
          prompt_id: string
          round_id: string
          updated_at: string
          user_id: string
          value: number
        }
        Insert: {
          answered_at: string
          kind: string
          prompt_id: string
          round_id: string
          updated_at?: string
          user_id: string
          value: number
        }
        Update: {
          answered_at?: string
          kind?: string
          prompt_id?: string
          round_id?: string
          updated_at?: string
          user_id?: string
          value?: number
        }
        Relationships: [
          {
            foreignKeyName: "answers_round_id_user_id_fkey"
            columns: ["round_id", "user_id"]
            isOneToOne: false
            referencedRelation: "round_participants"
            referencedColumns: ["round_id", "user_id"]
          },
        ]
      }
      collision_notes: {
        Row: {
          body: string
          discussed_at: string | null
          round_id: string
          situation_id: string
          updated_at: string
          updated_by: string | null
        }
        Insert: {
          body?: string
          discussed_at?: string | null
          round_id: string
          situation_id: string
          updated_at?: string
          updated_by?: string | null
        }
        Update: {
          body?: string
          discussed_at?: string | null
          round_id?: string
          situation_id?: string
          updated_at?: string
          updated_by?: string | null
        }
        Relationships: [
          {
            foreignKeyName: "collision_notes_round_id_fkey"
            columns: ["round_id"]
            isOneToOne: false
            referencedRelation: "rounds"
            referencedColumns: ["id"]
          },
        ]
      }
      couple_invites: {
        Row: {
          accepted_at: string | null
          accepted_by: string | null
          couple_id: string
          created_at: string
          declined_at: string | null
          expires_at: string
          id: string
          invited_by: string
          revoked_at: string | null
          token_hash: string
        }
        Insert: {
          accepted_at?: string | null
          accepted_by?: string | null
          couple_id: string
          created_at?: string
          declined_at?: string | null
          expires_at?: string
          id?: string
          invited_by: string
          revoked_at?: string | null
          token_hash: string
        }
        Update: {
          accepted_at?: string | null
          accepted_by?: string | null
          couple_id?: string
          created_at?: string
          declined_at?: string | null
          expires_at?: string
          id?: string
          invited_by?: string
          revoked_at?: string | null
          token_hash?: string
        }
        Relationships: [
          {
            foreignKeyName: "couple_invites_couple_id_fkey"
            columns: ["couple_id"]
            isOneToOne: false
            referencedRelation: "couples"
            referencedColumns: ["id"]
          },
        ]
      }
      couple_members: {
        Row: {
          couple_id: string
          joined_at: string
          role: string
          user_id: string
        }
        Insert: {
          couple_id: string
          joined_at?: string
          role?: string
          user_id: string
        }
        Update: {
          couple_id?: string
          joined_at?: string
          role?: string
          user_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "couple_members_couple_id_fkey"
            columns: ["couple_id"]
            isOneToOne: false
            referencedRelation: "couples"
            referencedColumns: ["id"]
          },
        ]
      }
      couples: {
        Row: {
          created_at: string
          created_by: string | null
          id: string
        }
        Insert: {
          created_at?: string
          created_by?: string | null
          id?: string
        }
        Update: {
          created_at?: string
          created_by?: string | null
          id?: string
        }
        Relationships: []
      }
      cycles: {
        Row: {
          round_id: string
          steps: NonNullable<Json>
          updated_at: string
          updated_by: string | null
        }
        Insert: {
          round_id: string
          steps?: NonNullable<Json>
          updated_at?: string
          updated_by?: string | null
        }
        Update: {
          round_id?: string
          steps?: NonNullable<Json>
          updated_at?: string
          updated_by?: string | null
        }
        Relationships: [
          {
            foreignKeyName: "cycles_round_id_fkey"
            columns: ["round_id"]
            isOneToOne: true
            referencedRelation: "rounds"
            referencedColumns: ["id"]
          },
        ]
      }
      notices: {
        Row: {
          actor_name: string
          created_at: string
          id: string
          kind: string
          user_id: string
        }
        Insert: {
          actor_name: string
          created_at?: string
          id?: string
          kind: string
          user_id: string
        }
        Update: {
          actor_name?: string
          created_at?: string
          id?: string
          kind?: string
          user_id?: string
        }
        Relationships: []
      }
      profiles: {
        Row: {
          created_at: string
          display_name: string
          id: string
          language: string
          updated_at: string
        }
        Insert: {
          created_at?: string
          display_name: string
          id: string
          language?: string
          updated_at?: string
        }
        Update: {
          created_at?: string
          display_name?: string
          id?: string
          language?: string
          updated_at?: string
        }
        Relationships: []
      }
      reflections: {
        Row: {
          body: string
          prompt_id: string
          round_id: string
          shared: boolean
          updated_at: string
          user_id: string
        }
        Insert: {
          body: string
          prompt_id: string
          round_id: string
          shared?: boolean
          updated_at?: string
          user_id: string
        }
        Update: {
          body?: string
          prompt_id?: string
          round_id?: string
          shared?: boolean
          updated_at?: string
          user_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "reflections_round_id_user_id_fkey"
            columns: ["round_id", "user_id"]
            isOneToOne: false
            referencedRelation: "round_participants"
            referencedColumns: ["round_id", "user_id"]
          },
        ]
      }
      round_participants: {
        Row: {
          answered_count: number
          predicted_count: number
          round_id: string
          started_at: string
          submitted_at: string | null
          updated_at: string
          user_id: string
        }
        Insert: {
          answered_count?: number
          predicted_count?: number
          round_id: string
          started_at?: string
          submitted_at?: string | null
          updated_at?: string
          user_id: string
        }
        Update: {
          answered_count?: number
          predicted_count?: number
          round_id?: string
          started_at?: string
          submitted_at?: string | null
          updated_at?: string
          user_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "round_participants_round_id_fkey"
            columns: ["round_id"]
            isOneToOne: false
            referencedRelation: "rounds"
            referencedColumns: ["id"]
          },
        ]
      }
      rounds: {
        Row: {
          couple_id: string
          id: string
          instrument_version: string
          prompt_count: number
          revealed_at: string | null
          started_at: string
          started_by: string | null
        }
        Insert: {
          couple_id: string
          id?: string
          instrument_version: string
          prompt_count: number
          revealed_at?: string | null
          started_at?: string
          started_by?: string | null
        }
        Update: {
          couple_id?: string
          id?: string
          instrument_version?: string
          prompt_count?: number
          revealed_at?: string | null
          started_at?: string
          started_by?: string | null
        }
        Relationships: [
          {
            foreignKeyName: "rounds_couple_id_fkey"
            columns: ["couple_id"]
            isOneToOne: false
            referencedRelation: "couples"
            referencedColumns: ["id"]
          },
        ]
      }
    }
    Views: {
      [_ in never]: never
    }
    Functions: {
      accept_couple_invite: { Args: { token: string }; Returns: string }
      couple_invite_preview: {
        Args: { token: string }
        Returns: {
          expires_at: string
          inviter_name: string
          status: string
        }[]
      }
      create_couple: { Args: Record<PropertyKey, never>; Returns: string }
      decline_couple_invite: { Args: { token: string }; Returns: undefined }
      delete_my_account: {
        Args: Record<PropertyKey, never>
        Returns: undefined
      }
      export_my_data: { Args: Record<PropertyKey, never>; Returns: Json }
      issue_couple_invite: {
        Args: { couple_id: string }
        Returns: {
          expires_at: string
          token: string
        }[]
      }
      leave_couple: { Args: Record<PropertyKey, never>; Returns: undefined }
      revoke_couple_invites: { Args: { couple_id: string }; Returns: undefined }
      save_answers: {
        Args: { answers: Json; round_id: string }
        Returns: number
      }
      save_reflection: {
        Args: {
          body: string
          prompt_id: string
          round_id: string
          shared?: boolean
        }
        Returns: undefined
      }
      start_round: {
        Args: { instrument_version: string; prompt_count: number }
        Returns: string
      }
      submit_round: { Args: { round_id: string }; Returns: string }
    }
    Enums: {
      [_ in never]: never
    }
    CompositeTypes: {
      [_ in never]: never
    }
  }
}

type DatabaseWithoutInternals = Omit<Database, "__InternalSupabase">

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">]

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])[TableName] extends {
      Row: infer R
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] &
        DefaultSchema["Views"])
    ? (DefaultSchema["Tables"] &
        DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
        Row: infer R
      }
      ? R
      : never
    : never

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Insert: infer I
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
        Insert: infer I
      }
      ? I
      : never
    : never

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Update: infer U
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
        Update: infer U
      }
      ? U
      : never
    : never

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends (DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never) = never,
> = DefaultSchemaEnumNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
    ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
    : never

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends (PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never) = never,
> = PublicCompositeTypeNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
    ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
    : never

export const Constants = {
  public: {
    Enums: {},
  },
} as const


package discord

import (
	"context"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
)

// FuzzComponent: any custom id, clicked by a moderator or not, gets a reply
// within Discord's limits, and only a moderator's adm: click changes the
// record.
func FuzzComponent(f *testing.F) {
	for _, id := range []string{"vote:up:session-length:8cv1gfspn1fm", "vote:down::", "vote:up:a:b:c", "vote:", "adm:cover:30:0011223344556677",
		"adm:dismiss:0:", "adm:x:y:z", "adm:cover:99999999999999999999:a", "faq:", "share:", "faq:session-length", "", ":"} {
		f.Add(id, true)
		f.Add(id, false)
	}
	st := newStore(f)
	h := NewHandler(sharedAssistant(f), Config{AskPrivate: true, Store: st, RecordUnanswered: true}, nil)
	f.Fuzz(func(t *testing.T, id string, mod bool) {
		perms := int64(0)
		if mod {
			perms = discordgo.PermissionManageGuild
		}
		i := &discordgo.Interaction{ID: "1100000000000000030", Type: discordgo.InteractionMessageComponent, GuildID: testGuild,
			Member: &discordgo.Member{User: &discordgo.User{ID: "1500000000000000001"}, Permissions: perms},
			Data:   discordgo.MessageComponentInteractionData{CustomID: id, ComponentType: discordgo.ButtonComponent}}
		r := h.Interaction(context.Background(), i)
		if r == nil {
			t.Fatal("nil response")
		}
		checkLimits(t, r)
		if !mod && strings.HasPrefix(id, AdminPrefix) && (r.Data == nil || !strings.Contains(r.Data.Content, "for the server's moderators")) {
			t.Errorf("%q by a non-moderator: %+v", id, r.Data)
		}
	})
}

// FuzzPreview: any question previewed gets a private reply within
// Discord's limits.
func FuzzPreview(f *testing.F) {
	for _, q := range hostile() {
		f.Add(q)
	}
	h := NewHandler(sharedAssistant(f), Config{}, nil)
	f.Fuzz(func(t *testing.T, q string) {
		i := &discordgo.Interaction{ID: "1100000000000000031", Type: discordgo.InteractionApplicationCommand, GuildID: testGuild,
			Member: &discordgo.Member{User: &discordgo.User{ID: "1500000000000000009"}, Permissions: discordgo.PermissionManageGuild},
			Data: discordgo.ApplicationCommandInteractionData{Name: CmdAdmin, Options: []*discordgo.ApplicationCommandInteractionDataOption{{
				Name: SubPreview, Type: discordgo.ApplicationCommandOptionSubCommand,
				Options: []*discordgo.ApplicationCommandInteractionDataOption{{Name: OptQuestion, Type: discordgo.ApplicationCommandOptionString, Value: q}},
			}}}}
		r := h.Interaction(context.Background(), i)
		checkLimits(t, r)
		if r.Data.Flags != discordgo.MessageFlagsEphemeral {
			t.Errorf("preview of %q is not private", q)
		}
	})
}
